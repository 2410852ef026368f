/**
 * Syscalls 3 (GET_PROPERTY) and 4 (GET_PROPERTY_NAME_TO_INDEX). Order of work as in OP-TEE:
 * type, then value (when a value buffer is given), then name (when a name buffer is given);
 * each length is in/out and a short buffer answers TEE_ERROR_SHORT_BUFFER with the needed size.
 */
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../../abi/results.js';
import { TEE_SCN_GET_PROPERTY, TEE_SCN_GET_PROPERTY_NAME_TO_INDEX } from './numbers.js';
import { inline, num, type SyscallArgs, type SyscallContext, type SyscallEntry } from './table.js';

function getProperty(ctx: SyscallContext, a: SyscallArgs): number {
  const [set, index, name, nameLen, buf, blen, type] = a as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const props = ctx.kernel.properties(Number(set & 0xffffffffn), ctx.session, ctx.instance.uuid);
  const prop = props && index < BigInt(props.length) ? props[Number(index)] : undefined;
  if (!prop) return TEE_ERROR_ITEM_NOT_FOUND;
  const space = ctx.instance.space;
  if (type !== 0n) space.writeU32(type, prop.type);
  if (buf !== 0n && blen !== 0n) {
    const room = space.readU32(blen);
    space.writeU32(blen, prop.value.length);
    if (room < prop.value.length) return TEE_ERROR_SHORT_BUFFER;
    space.write(buf, prop.value);
  }
  if (name !== 0n && nameLen !== 0n) {
    const encoded = Buffer.from(`${prop.name}\0`, 'utf8');
    const room = space.readU32(nameLen);
    space.writeU32(nameLen, encoded.length);
    if (room < encoded.length) return TEE_ERROR_SHORT_BUFFER;
    space.write(name, encoded);
  }
  return TEE_SUCCESS;
}

function nameToIndex(ctx: SyscallContext, a: SyscallArgs): number {
  const [set, name, nameLen, index] = a as [bigint, bigint, bigint, bigint];
  const props = ctx.kernel.properties(Number(set & 0xffffffffn), ctx.session, ctx.instance.uuid);
  if (!props) return TEE_ERROR_ITEM_NOT_FOUND;
  const len = num(nameLen);
  if (name === 0n || len === undefined || len === 0) return TEE_ERROR_BAD_PARAMETERS;
  const wanted = ctx.instance.space.readString(name, Math.min(len, 1024));
  const i = props.findIndex((p) => p.name === wanted);
  if (i < 0) return TEE_ERROR_ITEM_NOT_FOUND;
  ctx.instance.space.writeU32(index, i);
  return TEE_SUCCESS;
}

export const propertySyscalls: ReadonlyMap<number, SyscallEntry> = new Map([
  [TEE_SCN_GET_PROPERTY, inline('GET_PROPERTY',
    ['prop_set', 'index', 'name', 'name_len', 'buf', 'blen', 'prop_type'], getProperty)],
  [TEE_SCN_GET_PROPERTY_NAME_TO_INDEX, inline('GET_PROPERTY_NAME_TO_INDEX',
    ['prop_set', 'name', 'name_len', 'index'], nameToIndex)],
]);

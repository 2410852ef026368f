/**
 * The normal world's TA store as a TA source: `<uuid>.ta` fetched with OPTEE_RPC_CMD_LOAD_TA,
 * as OP-TEE does it. The first call asks for the size (an empty output buffer), then the core
 * has the normal world allocate a shared buffer, the second call fills it, and the bytes are
 * copied into the secure world before the buffer is given back.
 */
import { TeeError } from '../../abi/errors.js';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_RPC_CMD_LOAD_TA, valueFromUuidOctets,
  type MsgParam,
} from '../../abi/optee-msg.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS, resultName } from '../../abi/results.js';
import { uuidToOctets } from '../../abi/uuid.js';
import type { NsSharedMemory } from '../ns-memory.js';
import type { NormalWorldRpc } from '../rpc.js';
import type { SecureThread } from '../service.js';
import type { FetchedTa, TaSource } from './pipeline.js';

/** Largest TA the core accepts from the normal world. */
const MAX_TA_SIZE = 32 << 20;

export class ReeTaStoreSource implements TaSource {
  readonly name = 'REE TA store (LOAD_TA)';

  constructor(private readonly rpc: NormalWorldRpc, private readonly ns: NsSharedMemory) {}

  *find(uuid: string): SecureThread<FetchedTa | undefined> {
    const id = valueFromUuidOctets(uuidToOctets(uuid));
    const idParam: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: id.a, b: id.b, c: 0n };
    const query = yield* this.rpc.cmd(OPTEE_RPC_CMD_LOAD_TA, [idParam, { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: 0n, b: 0n, c: 0n }]);
    if (query.ret !== TEE_SUCCESS) {
      throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND,
        `TA ${uuid} was not found: the normal world's TA store has no ${uuid}.ta (${resultName(query.ret)})`);
    }
    const size = Number(query.params[1]?.b ?? 0n);
    if (size <= 0 || size > MAX_TA_SIZE) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `TA ${uuid} has an invalid size ${size}`);
    const buf = yield* this.rpc.shmAlloc(size);
    try {
      const r = yield* this.rpc.cmd(OPTEE_RPC_CMD_LOAD_TA,
        [idParam, { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: BigInt(buf.pa), b: BigInt(size), c: buf.cookie }]);
      if (r.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `loading TA ${uuid} failed (${resultName(r.ret)})`);
      return { bytes: Buffer.from(this.ns.buffer(buf.pa, size)), source: this.name };
    } finally {
      yield* this.rpc.shmFree(buf);
    }
  }
}

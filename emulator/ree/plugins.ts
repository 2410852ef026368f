/**
 * tee-supplicant's plugins (OPTEE_RPC_CMD_SUPP_PLUGIN): shared libraries of the normal world
 * that TAs call through `tee_invoke_supp_plugin()` (the system PTA forwards the call). As
 * tee-supplicant does, every file of a plugin directory is loaded at boot; each exports
 * `struct plugin_method plugin_method` (optee_client's `tee_plugin_method.h`: a name, a UUID, an
 * optional `init()` called once, and `invoke(cmd, sub_cmd, data, in_len, &out_len)`), and the
 * RPC reaches the plugin with the UUID. A file that is not a library, has no `plugin_method`,
 * or whose `init()` fails is reported and skipped; a UUID loaded twice keeps the first.
 *
 * Plugins are native code of the host, called in place (koffi): like tee-supplicant, the
 * device trusts them as it trusts itself, and a plugin that crashes takes the device with it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
  type MsgArg,
} from '../abi/optee-msg.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED, resultName } from '../abi/results.js';
import { uuidFromOctets } from '../abi/uuid.js';
import type { EventBus } from '../trace/events.js';
import type { RpcCommandHandler, ShmAccess } from './rpc-command.js';

/** value0.a of the RPC: the one operation there is. */
export const OPTEE_INVOKE_PLUGIN = 0;
/** The largest data buffer a plugin call carries (the core bounds it the same). */
export const SUPP_PLUGIN_DATA_MAX = 1 << 20;

const TeecUuid = koffi.struct('trustbox_TEEC_UUID', {
  timeLow: 'uint32_t', timeMid: 'uint16_t', timeHiAndVersion: 'uint16_t', clockSeqAndNode: koffi.array('uint8_t', 8),
});
const PluginMethod = koffi.struct('trustbox_plugin_method', { name: 'const char *', uuid: TeecUuid, init: 'void *', invoke: 'void *' });
const InitFn = koffi.proto('uint32_t trustbox_plugin_init(void)');
const InvokeFn = koffi.proto(
  'uint32_t trustbox_plugin_invoke(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len, _Out_ size_t *out_len)');

interface Loaded {
  name: string;
  path: string;
  /** Kept while the plugin is in use: a collected handle closes the library under its functions. */
  lib: LibraryHandle;
  invoke: (cmd: number, subCmd: number, data: Buffer | null, inLen: number, outLen: number[]) => number;
}

export class SupplicantPlugins {
  private readonly byUuid = new Map<string, Loaded>();

  /** Loads every file of `dirs` (in name order); what cannot be loaded is logged and skipped. */
  constructor(dirs: readonly string[], private readonly log: (line: string) => void, private readonly events?: EventBus) {
    for (const dir of dirs) {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch (error) {
        this.log(`supplicant: plugin directory ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
        continue;
      }
      for (const name of names) {
        const path = join(dir, name);
        if (statSync(path, { throwIfNoEntry: false })?.isFile()) this.load(path);
      }
    }
  }

  /** The loaded plugins: UUID, name and file. */
  list(): { uuid: string; name: string; path: string }[] {
    return [...this.byUuid].map(([uuid, p]) => ({ uuid, name: p.name, path: p.path }));
  }

  private load(path: string): void {
    let method: { name: string | null; uuid: { timeLow: number; timeMid: number; timeHiAndVersion: number; clockSeqAndNode: Uint8Array };
      init: bigint | null; invoke: bigint | null };
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
      const address = lib.symbol('plugin_method') as bigint;
      method = koffi.decode(address, PluginMethod);
    } catch (error) {
      this.log(`supplicant: plugin ${path} not loaded: ${(error as Error).message}`);
      return;
    }
    const u = method.uuid;
    const octets = Buffer.alloc(16);
    octets.writeUInt32BE(u.timeLow >>> 0, 0);
    octets.writeUInt16BE(u.timeMid, 4);
    octets.writeUInt16BE(u.timeHiAndVersion, 6);
    octets.set(u.clockSeqAndNode, 8);
    const uuid = uuidFromOctets(octets);
    const name = method.name ?? '(unnamed)';
    if (!method.invoke) {
      this.log(`supplicant: plugin ${path} (${name}) has no invoke function: skipped`);
      return;
    }
    if (method.init) {
      const r = (koffi.call(method.init, InitFn) as number) >>> 0;
      if (r !== 0) {
        this.log(`supplicant: plugin ${path} (${name}): init failed with 0x${r.toString(16).padStart(8, '0')}: skipped`);
        return;
      }
    }
    if (this.byUuid.has(uuid)) {
      this.log(`supplicant: plugin ${path} (${name}) has the UUID ${uuid} of ${this.byUuid.get(uuid)!.path}: skipped`);
      return;
    }
    this.byUuid.set(uuid, { name, path, lib, invoke: koffi.decode(method.invoke, InvokeFn) as Loaded['invoke'] });
    this.log(`supplicant: plugin ${name} (${uuid}) loaded from ${path}`);
  }

  /**
   * The RPC handler: value0 = (INVOKE, uuid word 0, word 1), value1 = (word 2, word 3, cmd),
   * value2 = (sub_cmd, out: out_len), memref3 = the data, which the plugin edits in place.
   */
  handler(shm: ShmAccess): RpcCommandHandler {
    return (arg: MsgArg) => {
      const [p0, p1, p2, p3] = arg.params;
      const type = (p: { attr: number } | undefined) => (p ? p.attr & OPTEE_MSG_ATTR_TYPE_MASK : -1);
      if (arg.params.length !== 4 || type(p0) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT || type(p1) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT
        || type(p2) !== OPTEE_MSG_ATTR_TYPE_VALUE_INOUT || type(p3) !== OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) {
        arg.ret = TEE_ERROR_BAD_PARAMETERS;
        return;
      }
      if (p0!.a !== BigInt(OPTEE_INVOKE_PLUGIN)) {
        arg.ret = TEE_ERROR_NOT_SUPPORTED;
        return;
      }
      const words = Buffer.alloc(16);
      [p0!.b, p0!.c, p1!.a, p1!.b].forEach((w, i) => words.writeUInt32LE(Number(w & 0xffffffffn), 4 * i));
      const uuid = uuidFromOctets(words);
      const plugin = this.byUuid.get(uuid);
      if (!plugin) {
        this.events?.emit({ type: 'rpc', name: 'SUPP_PLUGIN', detail: `${uuid}: no such plugin` });
        arg.ret = TEE_ERROR_ITEM_NOT_FOUND;
        return;
      }
      const len = Number(p3!.b);
      const data = len > 0 ? shm.copyIn(p3!.a, len) : Buffer.alloc(0);
      if (len > SUPP_PLUGIN_DATA_MAX || !data) {
        arg.ret = TEE_ERROR_BAD_PARAMETERS;
        return;
      }
      const outLen = [0];
      const cmd = Number(p1!.c & 0xffffffffn);
      const subCmd = Number(p2!.a & 0xffffffffn);
      arg.ret = plugin.invoke(cmd, subCmd, len > 0 ? data : null, len, outLen) >>> 0;
      p2!.b = BigInt(outLen[0] ?? 0);
      if (len > 0) shm.copyOut(p3!.a, data);
      this.events?.emit({
        type: 'rpc', name: 'SUPP_PLUGIN',
        detail: `${plugin.name} (${uuid}) cmd ${cmd} sub_cmd ${subCmd}, ${len} bytes in, ${outLen[0]} out -> ${resultName(arg.ret)}`,
      });
    };
  }
}

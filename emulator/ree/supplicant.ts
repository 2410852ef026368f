/**
 * The host side of tee-supplicant: serves the RPC commands that the REE firmware forwards
 * through the host bridge (LOAD_TA from the TA store it is given, GET_TIME, and the REE file
 * system of fs-server.ts). It reads and writes the RPC's optee_msg_arg in NS shared memory,
 * exactly where the firmware put it, and never trusts its contents.
 */
import type { EventBus } from '../trace/events.js';
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT,
  OPTEE_RPC_CMD_FS, OPTEE_RPC_CMD_GENERIC, OPTEE_RPC_CMD_GET_TIME, OPTEE_RPC_CMD_LOAD_TA, OPTEE_RPC_CMD_SOCKET, OPTEE_RPC_CMD_SUPP_PLUGIN,
  readMsgArg, uuidOctetsFromValue, writeMsgArg,
  type MsgArg,
} from '../abi/optee-msg.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SHORT_BUFFER,
  TEE_SUCCESS,
} from '../abi/results.js';
import { uuidFromOctets } from '../abi/uuid.js';
import { resultName } from '../abi/results.js';

import * as RpcFs from '../abi/optee-rpc-fs.js';

/** OPTEE_RPC_FS_* names by number, for the trace. */
const FS_OPS: Record<number, string> = Object.fromEntries(Object.entries(RpcFs)
  .filter(([k, v]) => k.startsWith('OPTEE_RPC_FS_') && typeof v === 'number').map(([k, v]) => [v, k.slice('OPTEE_RPC_FS_'.length)]));
import { FsServer } from './fs-server.js';
import { GenericRpcServer } from './generic-rpc.js';
import type { SupplicantPlugins } from './plugins.js';
import { SocketServer } from './sockets.js';
import type { RpcCommandHandler, ShmAccess } from './rpc-command.js';
import type { TaLookup } from './ta-store.js';

/** Re-exported: the supplicant's users register handlers of this type. */
export type { RpcCommandHandler } from './rpc-command.js';

/** The supplicant of one device: RPC handlers by command, over the device's NS shared memory. */
export class Supplicant implements ShmAccess {
  private readonly handlers = new Map<number, RpcCommandHandler>();
  /** TAs' TCP and UDP sockets (OPTEE_RPC_CMD_SOCKET). */
  readonly sockets: SocketServer;
  /** RPCs a client program serves (Open Enclave ocalls): answered later, through `generic.answer`. */
  readonly generic: GenericRpcServer;

  /**
   * `tas` is where LOAD_TA looks (the device's TA store), `stateDir` the root of the file
   * server's secure storage; `shm` is the NS shared memory at physical address `shmBase`;
   * `plugins` serve SUPP_PLUGIN (without them every plugin is ITEM_NOT_FOUND, as an empty
   * plugin directory).
   */
  constructor(
    private readonly tas: TaLookup,
    stateDir: string,
    private readonly shm: Uint8Array,
    private readonly shmBase: number,
    private readonly events: EventBus,
    plugins?: SupplicantPlugins,
  ) {
    if (plugins) this.handlers.set(OPTEE_RPC_CMD_SUPP_PLUGIN, plugins.handler(this));
    this.handlers.set(OPTEE_RPC_CMD_LOAD_TA, (arg) => this.loadTa(arg));
    this.handlers.set(OPTEE_RPC_CMD_GET_TIME, (arg) => this.getTime(arg));
    this.handlers.set(OPTEE_RPC_CMD_FS, new FsServer(stateDir, this).handler());
    this.sockets = new SocketServer(this, events);
    this.handlers.set(OPTEE_RPC_CMD_SOCKET, this.sockets.handler());
    this.generic = new GenericRpcServer(this, shm, events);
  }

  /** Registers the handler of another RPC command (the secure-storage file server, ...). */
  handle(cmd: number, handler: RpcCommandHandler): void {
    this.handlers.set(cmd, handler);
  }

  /**
   * Serves the RPC whose optee_msg_arg is at physical address `argPa`, forwarded from the
   * request in mailbox `slot`. Returns true when its answer comes later (a GENERIC RPC that a
   * client serves): the caller marks the slot waiting.
   */
  serve(argPa: number, slot = -1): boolean {
    const offset = argPa - this.shmBase;
    const arg = readMsgArg(this.shm, offset);
    if (typeof arg === 'string') {
      this.events.emit({ type: 'rpc', name: 'invalid', detail: arg });
      return false;
    }
    if (arg.cmd === OPTEE_RPC_CMD_GENERIC) {
      if (slot >= 0 && this.generic.serve(slot, offset, arg)) return true;
      if (slot < 0) arg.ret = TEE_ERROR_NOT_SUPPORTED;
      writeMsgArg(this.shm, offset, arg);
      return false;
    }
    const handler = this.handlers.get(arg.cmd);
    if (!handler) {
      arg.ret = TEE_ERROR_NOT_SUPPORTED;
    } else {
      try {
        handler(arg);
        if (arg.cmd === OPTEE_RPC_CMD_FS && this.events.wants('rpc')) {
          const op = Number(arg.params[0]?.a ?? -1n);
          this.events.emit({ type: 'rpc', name: 'FS', detail: `${FS_OPS[op] ?? `op ${op}`} -> ${resultName(arg.ret)}` });
        }
      } catch (error) {
        this.events.emit({ type: 'rpc', name: `cmd ${arg.cmd}`, detail: `failed: ${(error as Error).message}` });
        arg.ret = TEE_ERROR_BAD_PARAMETERS;
      }
    }
    writeMsgArg(this.shm, offset, arg);
    return false;
  }

  /** Copies `bytes` into NS shared memory at `pa`; false when the range is not shared memory. */
  copyOut(pa: bigint | number, bytes: Uint8Array): boolean {
    const off = Number(pa) - this.shmBase;
    if (off < 0 || off + bytes.length > this.shm.length) return false;
    this.shm.set(bytes, off);
    return true;
  }

  /** Copies `len` bytes out of NS shared memory at `pa`; undefined when not shared memory. */
  copyIn(pa: bigint | number, len: number): Buffer | undefined {
    const off = Number(pa) - this.shmBase;
    if (off < 0 || len < 0 || off + len > this.shm.length) return undefined;
    return Buffer.from(this.shm.subarray(off, off + len));
  }

  private loadTa(arg: MsgArg): void {
    const [id, mem] = arg.params;
    if (!id || !mem || (id.attr & OPTEE_MSG_ATTR_TYPE_MASK) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT
      || ![OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT].includes(mem.attr & OPTEE_MSG_ATTR_TYPE_MASK)) {
      arg.ret = TEE_ERROR_BAD_PARAMETERS;
      return;
    }
    const uuid = uuidFromOctets(uuidOctetsFromValue(id));
    const ta = this.tas.find(uuid);
    if (!ta) {
      this.events.emit({ type: 'rpc', name: 'LOAD_TA', detail: `${uuid}: not found in the TA store` });
      arg.ret = TEE_ERROR_ITEM_NOT_FOUND;
      return;
    }
    const capacity = mem.b;
    mem.b = BigInt(ta.bytes.length);
    if (mem.a === 0n) {
      arg.ret = TEE_SUCCESS; // size query
      return;
    }
    if (capacity < BigInt(ta.bytes.length)) {
      arg.ret = TEE_ERROR_SHORT_BUFFER;
      return;
    }
    arg.ret = this.copyOut(mem.a, ta.bytes) ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
    this.events.emit({ type: 'rpc', name: 'LOAD_TA', detail: `${uuid}: ${ta.bytes.length} bytes from ${ta.source} (${ta.path})` });
  }

  private getTime(arg: MsgArg): void {
    const p = arg.params[0];
    if (!p || ![OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT].includes(p.attr & OPTEE_MSG_ATTR_TYPE_MASK)) {
      arg.ret = TEE_ERROR_BAD_PARAMETERS;
      return;
    }
    const ms = this.events.clock.epochMs();
    p.a = BigInt(Math.floor(ms / 1000));
    p.b = BigInt((ms % 1000) * 1_000_000);
    arg.ret = TEE_SUCCESS;
  }
}

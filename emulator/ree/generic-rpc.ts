/**
 * RPCs that a client program serves (OPTEE_RPC_CMD_GENERIC): Open Enclave's ocalls. The TEE
 * core's RPC pseudo-TA sends one through the normal world's RPC path like any other; the
 * firmware forwards it to the host (HB_REG_SUPP_CALL), and here the host hands it to whoever
 * serves the request in that mailbox slot (the API server, and through it the client that
 * made the call). The answer comes later, so the slot is marked waiting (`rpc_wait`) and the
 * firmware keeps the call in progress, unresumed, until `answer` writes the result in place.
 *
 * Nothing of the RPC's message is trusted: sizes are bounded, buffers must lie in NS shared
 * memory, an answer must fit what was asked.
 */
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, writeMsgArg, type MsgArg,
} from '../abi/optee-msg.js';
import type { RpcAnswer, RpcCall } from '../abi/protocol.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_COMMUNICATION, TEE_ERROR_NOT_SUPPORTED, TEE_SUCCESS,
} from '../abi/results.js';
import type { EventBus } from '../trace/events.js';
import type { ShmAccess } from './rpc-command.js';

/** Largest in/out argument block (OE's are 56 bytes). */
export const GENERIC_RPC_ARGS_MAX = 4096;
/** Largest input or output buffer of one RPC. */
export const GENERIC_RPC_DATA_MAX = 4 << 20;

/**
 * Who serves RPCs: given the slot of the request they belong to, an id for the answer and the
 * call, returns true when it will answer (through `GenericRpcServer.answer`), false when nobody
 * serves this request's RPCs (the TA then sees NOT_SUPPORTED at once).
 */
export type GenericRpcSink = (slot: number, rpc: number, call: RpcCall) => boolean;

interface Waiting {
  slot: number;
  argOffset: number;
  arg: MsgArg;
  outPa: bigint;
  outCapacity: number;
  argsPa: bigint;
  argsSize: number;
  func: number;
  since: number;
}

export class GenericRpcServer {
  /** Where RPCs go; unset, every one is NOT_SUPPORTED (no client program serves them). */
  sink: GenericRpcSink | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private next = 1;

  constructor(private readonly shm: ShmAccess, private readonly nsShm: Uint8Array, private readonly events: EventBus) {}

  /** RPCs waiting for their answers. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Serves the GENERIC RPC `arg` (at `argOffset` in NS shared memory) of the request in `slot`:
   * returns true when the answer comes later (the slot must be marked waiting), false when
   * `arg` was answered now (an error).
   */
  serve(slot: number, argOffset: number, arg: MsgArg): boolean {
    const call = this.parse(arg);
    if (typeof call === 'string') {
      this.events.emit({ type: 'rpc', name: 'GENERIC', detail: `refused: ${call}` });
      arg.ret = TEE_ERROR_BAD_PARAMETERS;
      return false;
    }
    const rpc = this.next;
    this.next = this.next >= 0x7fffffff ? 1 : this.next + 1;
    const [, argsP, , outP] = arg.params;
    const w: Waiting = {
      slot, argOffset, arg, func: call.func, since: performance.now(),
      argsPa: argsP!.a, argsSize: call.args.length, outPa: outP?.a ?? 0n, outCapacity: call.outSize,
    };
    const taken = this.sink?.(slot, rpc, call) ?? false;
    if (!taken) {
      this.events.emit({ type: 'rpc', name: 'GENERIC', detail: `function 0x${call.func.toString(16)}: no client serves this call's RPCs` });
      arg.ret = TEE_ERROR_NOT_SUPPORTED;
      return false;
    }
    this.waiting.set(rpc, w);
    this.events.emit({ type: 'rpc', name: 'GENERIC', detail: `function 0x${call.func.toString(16)} (${call.input.length} bytes in, ${call.outSize} out) to the client` });
    return true;
  }

  /**
   * Writes the answer to RPC `rpc` into its message; returns the slot to resume, or undefined
   * when no such RPC waits (answered already, or never asked).
   */
  answer(rpc: number, answer: RpcAnswer): number | undefined {
    const w = this.waiting.get(rpc);
    if (!w) return undefined;
    this.waiting.delete(rpc);
    const arg = w.arg;
    let ret = answer.result >>> 0;
    let problem: string | undefined;
    if (ret === TEE_SUCCESS) {
      if (answer.args && answer.args.length !== w.argsSize) problem = `the answer's args are ${answer.args.length} bytes, not ${w.argsSize}`;
      else if (answer.output && answer.output.length > w.outCapacity) problem = `the answer's output is ${answer.output.length} bytes, more than the ${w.outCapacity} asked for`;
    }
    if (problem) {
      ret = TEE_ERROR_BAD_PARAMETERS;
    } else if (ret === TEE_SUCCESS) {
      if (answer.args) this.shm.copyOut(w.argsPa, answer.args);
      const out = answer.output ?? new Uint8Array(0);
      if (out.length > 0) this.shm.copyOut(w.outPa, out);
      const p3 = arg.params[3];
      if (p3 && (p3.attr & OPTEE_MSG_ATTR_TYPE_MASK) === OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT) p3.b = BigInt(out.length);
    }
    arg.ret = ret;
    writeMsgArg(this.nsShm, w.argOffset, arg);
    const ms = (performance.now() - w.since).toFixed(2);
    this.events.emit({ type: 'rpc', name: 'GENERIC', detail: problem ? `answer refused: ${problem}` : `answered 0x${ret.toString(16)} after ${ms} ms` });
    return w.slot;
  }

  /** Fails every RPC of `slot` (or all) with COMMUNICATION; returns the slots to resume. */
  failAll(slot?: number): number[] {
    const slots: number[] = [];
    for (const [rpc, w] of [...this.waiting]) {
      if (slot !== undefined && w.slot !== slot) continue;
      const s = this.answer(rpc, { result: TEE_ERROR_COMMUNICATION });
      if (s !== undefined) slots.push(s);
    }
    return slots;
  }

  private parse(arg: MsgArg): RpcCall | string {
    const [fn, argsP, inP, outP] = arg.params;
    const type = (i: number) => (arg.params[i] ? arg.params[i]!.attr & OPTEE_MSG_ATTR_TYPE_MASK : OPTEE_MSG_ATTR_TYPE_NONE);
    if (!fn || type(0) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) return 'param 0 must be a value input (the function)';
    if (!argsP || type(1) !== OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) return 'param 1 must be an in/out buffer (the arguments)';
    if (argsP.b > BigInt(GENERIC_RPC_ARGS_MAX)) return `arguments of ${argsP.b} bytes (at most ${GENERIC_RPC_ARGS_MAX})`;
    const args = this.shm.copyIn(argsP.a, Number(argsP.b));
    if (!args) return 'the arguments are outside shared memory';
    let input: Uint8Array = new Uint8Array(0);
    if (type(2) !== OPTEE_MSG_ATTR_TYPE_NONE) {
      if (type(2) !== OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || !inP) return 'param 2 must be an input buffer or none';
      if (inP.b > BigInt(GENERIC_RPC_DATA_MAX)) return `input of ${inP.b} bytes (at most ${GENERIC_RPC_DATA_MAX})`;
      const bytes = inP.b === 0n ? new Uint8Array(0) : this.shm.copyIn(inP.a, Number(inP.b));
      if (!bytes) return 'the input is outside shared memory';
      input = bytes;
    }
    let outSize = 0;
    if (type(3) !== OPTEE_MSG_ATTR_TYPE_NONE) {
      if (type(3) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || !outP) return 'param 3 must be an output buffer or none';
      if (outP.b > BigInt(GENERIC_RPC_DATA_MAX)) return `output of ${outP.b} bytes (at most ${GENERIC_RPC_DATA_MAX})`;
      outSize = Number(outP.b);
      if (outSize > 0 && !this.shm.copyIn(outP.a, 0)) return 'the output is outside shared memory';
      if (outSize > 0 && !this.shm.copyIn(BigInt(outP.a) + BigInt(outSize - 1), 1)) return 'the output is outside shared memory';
    }
    return { func: Number(fn.a & 0xffffffffn), args, input, outSize };
  }
}

/**
 * Open Enclave's RPC pseudo-TA (UUID ad0fd0ae-09e1-464b-98ed-0607ec9ebd8b, from OE's OP-TEE
 * fork, which upstream OP-TEE lacks): how an enclave's ocall leaves the secure world. The
 * enclave runtime opens a session from TA_CreateEntryPoint and, for each ocall, invokes
 *
 *   0 PTA_RPC_EXECUTE  [0] value IN (a = OE function, e.g. OE_OCALL_CALL_HOST_FUNCTION 0x8000)
 *                      [1] memref INOUT  the call's arguments (oe_call_host_function_args_t)
 *                      [2] memref IN     input buffer (or none)
 *                      [3] memref OUT    output buffer (or none)
 *
 * The buffers are copied into normal-world shared memory (one RPC SHM_ALLOC), sent as an
 * OPTEE_RPC_CMD_GENERIC RPC through the normal world's firmware to the host, which asks the
 * client program that made the call (ree/generic-rpc.ts, api/rpc.ts), then copied back: the
 * arguments, and as much output as the client wrote (param 3's size says how much). The time
 * the client takes is not the TA's: its call's budget is credited with it.
 *
 * Only TAs may open it (the normal world has its own way to reach its clients).
 */
import { TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import { TeeError } from '../../abi/errors.js';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_RPC_CMD_GENERIC,
  type MsgParam,
} from '../../abi/optee-msg.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_SUPPORTED, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE,
  TEE_PARAM_TYPE_VALUE_INPUT,
} from '../../abi/tee-api.js';
import type { Kernel } from '../kernel.js';
import { memrefBytes, paramType, typesOf, type TaParams } from '../params.js';
import type { CallContext, EntryResult, SecureThread, Session, TrustedService } from '../service.js';
import { none, value, withPayload } from './normal-world-call.js';

export const PTA_OE_RPC_UUID = 'ad0fd0ae-09e1-464b-98ed-0607ec9ebd8b';
export const PTA_RPC_EXECUTE = 0;
/** Largest argument block, and largest input or output, one ocall moves (as ree/generic-rpc.ts bounds them). */
const ARGS_MAX = 4096;
const DATA_MAX = 4 << 20;

const align16 = (n: number) => (n + 15) & ~15;

export class OeRpcPta implements TrustedService {
  readonly uuid = PTA_OE_RPC_UUID;
  readonly kind = 'pseudo' as const;

  constructor(private readonly kernel: Kernel) {}

  *openSession(_session: Session, _params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    if (!ctx.callerTa) return { result: TEE_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_TEE };
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *invoke(_session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    let result: number;
    try {
      result = cmd === PTA_RPC_EXECUTE ? yield* this.execute(params, ctx) : TEE_ERROR_NOT_SUPPORTED;
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      result = error.code >>> 0;
    }
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(): SecureThread<void> {}

  private *execute(params: TaParams, ctx: CallContext): SecureThread<number> {
    const t = (i: number) => paramType(typesOf(params), i);
    if (t(0) !== TEE_PARAM_TYPE_VALUE_INPUT || t(1) !== TEE_PARAM_TYPE_MEMREF_INOUT
      || ![TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE].includes(t(2))
      || ![TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE].includes(t(3))) return TEE_ERROR_BAD_PARAMETERS;
    const argsMem = params[1].mem;
    if (!argsMem || argsMem.size === 0 || argsMem.size > ARGS_MAX) return TEE_ERROR_BAD_PARAMETERS;
    const args = memrefBytes(argsMem);
    const input = params[2].mem ? memrefBytes(params[2].mem) : new Uint8Array(0);
    const outMem = t(3) === TEE_PARAM_TYPE_MEMREF_OUTPUT ? params[3].mem : undefined;
    const outCapacity = outMem?.size ?? 0;
    if (input.length > DATA_MAX || outCapacity > DATA_MAX) return TEE_ERROR_BAD_PARAMETERS;

    // One buffer of normal-world shared memory: arguments, input, output, each 16-byte aligned.
    const inAt = align16(args.length);
    const outAt = inAt + align16(input.length);
    const kernel = this.kernel;
    return yield* withPayload(kernel, outAt + outCapacity, function* (p) {
      p.bytes.set(args, 0);
      p.bytes.set(input, inAt);
      const msg: MsgParam[] = [
        value(params[0].a, 0),
        p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, 0, args.length),
        input.length > 0 || t(2) === TEE_PARAM_TYPE_MEMREF_INPUT ? p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, inAt, input.length) : none(),
        outMem ? p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, outAt, outCapacity) : none(),
      ];
      const started = performance.now();
      const answer = yield* kernel.rpcCmd(OPTEE_RPC_CMD_GENERIC, msg);
      // The client's time is not the TA's (as time parked is not).
      ctx.callerTa?.creditParked(performance.now() - started);
      if (answer.ret !== TEE_SUCCESS) return answer.ret >>> 0;
      argsMem.window.set(p.bytes.subarray(0, args.length), argsMem.offset);
      if (outMem) {
        const written = Number(answer.params[3]?.b ?? 0n);
        if (written > outCapacity) return TEE_ERROR_BAD_PARAMETERS;
        outMem.window.set(p.bytes.subarray(outAt, outAt + written), outMem.offset);
        outMem.size = written;
      }
      return TEE_SUCCESS;
    });
  }
}

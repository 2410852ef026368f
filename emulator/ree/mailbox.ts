/**
 * Host-side view of the host-bridge mailbox: encoding requests into slots in NS shared memory
 * and decoding the firmware's answers. Layout: `struct hb_request` in hostbridge.h.
 */
import {
  HB_REQ_OFF_CANCEL_ID, HB_REQ_OFF_CLIENT_UUID, HB_REQ_OFF_FUNC, HB_REQ_OFF_LOGIN, HB_REQ_OFF_NUM_PARAMS,
  HB_REQ_OFF_OP, HB_REQ_OFF_PARAMS, HB_REQ_OFF_RET, HB_REQ_OFF_RET_ORIGIN, HB_REQ_OFF_RPC_ARG_PA,
  HB_REQ_OFF_SESSION, HB_REQ_OFF_SMC_CALLS, HB_REQ_OFF_STATUS, HB_REQ_OFF_UUID, HB_SLOT_SIZE, HB_REQ_OFF_DONE, HB_DONE_VALUE, HB_REQ_OFF_RPC_WAIT,
} from './hostbridge.js';
import { setU64, type MsgParam } from '../abi/optee-msg.js';

/**
 * One request as the host writes it into a slot (struct hb_request). `params` are the client's
 * parameters in the normal world's one form, OPTEE_MSG attr and a/b/c, which the firmware copies
 * into the optee_msg_arg unchanged (struct hb_param is struct optee_msg_param's layout).
 */
export interface HbRequest {
  op: number;
  session?: number;
  func?: number;
  cancelId?: number;
  login?: number;
  uuid?: Uint8Array;
  clientUuid?: Uint8Array;
  params?: MsgParam[];
}

/** The firmware's answer in a slot: its status, the TEE's result and the parameters as the TEE updated them. */
export interface HbResult {
  /** TEEC_SUCCESS when the request reached the TEE; otherwise why not (origin COMMS). */
  status: number;
  session: number;
  ret: number;
  retOrigin: number;
  /** SMCs the firmware made for this request. */
  smcCalls: number;
  params: MsgParam[];
}

/** Size of struct hb_request (hostbridge.h): everything up to and including done (and its padding). */
const HB_REQ_SIZE = HB_REQ_OFF_DONE + 8;
/** Size of struct hb_param: attr and the a/b/c union, 64 bits each, as in struct optee_msg_param. */
const HB_PARAM_SIZE = 32;
/** Parameters a slot holds (struct hb_request's params[4]). */
const HB_MAX_PARAMS = 4;
/** Octets of a UUID field. */
const UUID_SIZE = 16;


function getU64(v: DataView, o: number): bigint {
  return v.getUint32(o + 4, true) === 0 ? BigInt(v.getUint32(o, true)) : v.getBigUint64(o, true);
}

/** Reads and writes request slots inside the NS shared memory buffer. */
export class Mailbox {
  private readonly view: DataView;

  /** `shm` is the NS shared memory; the mailbox starts at `offset` inside it. */
  constructor(private readonly shm: Uint8Array, private readonly offset: number, readonly slotCount: number) {
    this.view = new DataView(shm.buffer, shm.byteOffset, shm.byteLength);
  }

  private base(slot: number): number {
    if (slot < 0 || slot >= this.slotCount) throw new RangeError(`no mailbox slot ${slot}`);
    return this.offset + slot * HB_SLOT_SIZE;
  }

  /** Writes a request into a slot (clearing it first). */
  write(slot: number, req: HbRequest): void {
    const b = this.base(slot);
    // struct hb_request ends with done; the rest of the slot is never read.
    this.shm.fill(0, b, b + HB_REQ_SIZE);
    const v = this.view;
    v.setUint32(b + HB_REQ_OFF_OP, req.op, true);
    v.setUint32(b + HB_REQ_OFF_SESSION, req.session ?? 0, true);
    v.setUint32(b + HB_REQ_OFF_FUNC, req.func ?? 0, true);
    v.setUint32(b + HB_REQ_OFF_CANCEL_ID, req.cancelId ?? 0, true);
    v.setUint32(b + HB_REQ_OFF_LOGIN, req.login ?? 0, true);
    if (req.uuid) this.shm.set(req.uuid.subarray(0, UUID_SIZE), b + HB_REQ_OFF_UUID);
    if (req.clientUuid) this.shm.set(req.clientUuid.subarray(0, UUID_SIZE), b + HB_REQ_OFF_CLIENT_UUID);
    const params = req.params ?? [];
    if (params.length > HB_MAX_PARAMS) throw new RangeError(`at most ${HB_MAX_PARAMS} parameters`);
    v.setUint32(b + HB_REQ_OFF_NUM_PARAMS, params.length, true);
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const o = b + HB_REQ_OFF_PARAMS + i * HB_PARAM_SIZE;
      v.setUint32(o, p.attr >>> 0, true); // the high word stays 0 from the clear
      setU64(v, o + 8, p.a);
      setU64(v, o + 16, p.b);
      setU64(v, o + 24, p.c);
    }
  }

  /** Reads the firmware's answer from a slot. */
  read(slot: number): HbResult {
    const b = this.base(slot);
    const v = this.view;
    const n = Math.min(v.getUint32(b + HB_REQ_OFF_NUM_PARAMS, true), HB_MAX_PARAMS);
    const params: MsgParam[] = [];
    for (let i = 0; i < n; i++) {
      const o = b + HB_REQ_OFF_PARAMS + i * HB_PARAM_SIZE;
      params.push({ attr: v.getUint32(o, true), a: getU64(v, o + 8), b: getU64(v, o + 16), c: getU64(v, o + 24) });
    }
    return {
      status: v.getUint32(b + HB_REQ_OFF_STATUS, true),
      session: v.getUint32(b + HB_REQ_OFF_SESSION, true),
      ret: v.getUint32(b + HB_REQ_OFF_RET, true),
      retOrigin: v.getUint32(b + HB_REQ_OFF_RET_ORIGIN, true),
      smcCalls: v.getUint32(b + HB_REQ_OFF_SMC_CALLS, true),
      params,
    };
  }

  /** Whether the firmware has finished the request in this slot (its `done` word). */
  done(slot: number): boolean {
    return this.view.getUint32(this.base(slot) + HB_REQ_OFF_DONE, true) === HB_DONE_VALUE;
  }

  /**
   * Tells the firmware that the RPC it forwarded from this slot is answered later (true), or
   * that the answer is now in place (false): the call stays in progress, not resumed, meanwhile.
   */
  setRpcWait(slot: number, waiting: boolean): void {
    this.view.setUint32(this.base(slot) + HB_REQ_OFF_RPC_WAIT, waiting ? 1 : 0, true);
  }

  /** The PA of the RPC optee_msg_arg that the firmware forwards from this slot. */
  rpcArgPa(slot: number): number {
    return Number(this.view.getBigUint64(this.base(slot) + HB_REQ_OFF_RPC_ARG_PA, true));
  }
}

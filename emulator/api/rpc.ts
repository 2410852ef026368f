/**
 * RPCs of a client's calls that the client itself serves (Open Enclave ocalls): the device
 * asks (`RpcServe`), the server sends the client an `rpc` frame naming the request in flight,
 * and the client's `rpcReply` frame is the answer. Only sessions opened with `rpc: true` have
 * their RPCs sent; a client that goes away leaves every RPC it was asked answered
 * COMMUNICATION, so the TA's call fails rather than hangs.
 */
import { TEEC_ERROR_COMMUNICATION } from '../abi/client-api.js';
import type { RpcAnswer, RpcFrame } from '../abi/protocol.js';
import type { RpcServe } from '../device/host.js';
import type { Connection } from './connection.js';
import { protocolError, type ApiError } from './errors.js';

/** An RpcServe that asks connection `c` through request `id`'s rpc frames. */
export function clientRpcServer(c: Connection, id: number, send: (frame: RpcFrame) => void): RpcServe {
  return (call) => new Promise<RpcAnswer>((resolve) => {
    if (c.closed) {
      resolve({ result: TEEC_ERROR_COMMUNICATION });
      return;
    }
    const rpc = c.nextRpc++;
    c.rpcs.set(rpc, resolve);
    send({ type: 'rpc', id, rpc, func: call.func, args: call.args, input: call.input, outSize: call.outSize });
  });
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Takes an rpcReply frame: the error to answer with when it is malformed or names no RPC asked. */
export function takeRpcReply(c: Connection, frame: Record<string, unknown>): ApiError | undefined {
  if (!isU32(frame.rpc) || !isU32(frame.result)
    || (frame.args !== undefined && !(frame.args instanceof Uint8Array))
    || (frame.output !== undefined && !(frame.output instanceof Uint8Array))) {
    return protocolError('MALFORMED_FRAME', 'expected {type: "rpcReply", rpc: u32, result: u32, args?: bin, output?: bin}');
  }
  const resolve = c.rpcs.get(frame.rpc);
  if (!resolve) return protocolError('NOT_FOUND', `no rpc ${frame.rpc} waits for an answer on this connection`);
  c.rpcs.delete(frame.rpc);
  const answer: RpcAnswer = { result: frame.result };
  if (frame.args) answer.args = frame.args as Uint8Array;
  if (frame.output) answer.output = frame.output as Uint8Array;
  resolve(answer);
  return undefined;
}

/** The connection is gone: every RPC it was asked fails COMMUNICATION. */
export function failRpcs(c: Connection): void {
  for (const resolve of c.rpcs.values()) resolve({ result: TEEC_ERROR_COMMUNICATION });
  c.rpcs.clear();
}



/**
 * Errors the API server answers with: a protocol error (a stable code from protocol.ts, a TEEC
 * result and origin, a sentence), or what the device reported.
 */
import { ProtocolError, type WireError } from '../abi/protocol.js';
import { DeviceHostError } from '../device/host.js';

/** A protocol error raised by the server itself; `wire` is what the client gets. */
export class ApiError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/** The protocol error `kind` with this message. */
export function protocolError(kind: keyof typeof ProtocolError, message: string): ApiError {
  const e = ProtocolError[kind];
  return new ApiError({ code: e.code, result: e.result, origin: e.origin, message });
}

/** Any failure of an operation as the error body of its answer. */
export function toWireError(error: unknown): WireError {
  if (error instanceof ApiError) return error.wire;
  if (error instanceof DeviceHostError) {
    return { code: error.code === 'tee' ? 'tee' : 'device-error', result: error.result, origin: error.origin, message: error.message };
  }
  const e = ProtocolError.DEVICE_ERROR;
  return { code: e.code, result: e.result, origin: e.origin, message: (error as Error)?.message ?? String(error) };
}

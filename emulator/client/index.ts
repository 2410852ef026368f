/**
 * `trustbox-emulator/client`: the GP TEE Client API over WebSocket, for Node and browsers.
 *
 * ```ts
 * const ctx = await TeecContext.initialize({ url, token });
 * const session = await ctx.openSession('8aaaf200-2450-11e4-abe2-0002a5d5c51b');
 * const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 0 } }]);
 * const { result } = await session.invokeCommand(0, op);   // op.params[0].value.a === 42
 * ```
 *
 * It imports nothing from the emulator but the protocol module (plus msgpackr, and ws in Node).
 */
export * from '../abi/protocol.js';
export { TeeConnection, TeecError, type ConnectOptions, type RpcHandler } from './connection.js';
export {
  TeecContext, TeecOperation, TeecSession, TeecSharedMemory, type OpenSessionOptions, type TeecParameter,
  type TeecRegisteredMemoryReference, type TeecResult, type TeecTempMemoryReference, type TeecValue,
} from './teec.js';
export {
  decodePsaToken, verifyPsaToken, type PsaCheck, type PsaClaims, type PsaReferenceValue, type PsaVerifyOptions,
  type PsaVerifyResult,
} from './attestation.js';

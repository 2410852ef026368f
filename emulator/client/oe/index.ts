/**
 * The Open Enclave TypeScript host runtime (`trustbox-emulator/oe`), used by the `<name>_u.ts`
 * modules `trustbox oe edger8r --untrusted-ts` generates.
 */
export { createEnclave, OeEnclave, OeError, type CreateEnclaveOptions, type EcallOutcome, type EnclaveSpec, type OcallHandler } from './enclave.js';
export { OeResult, oeResultStr, type OeResultName } from './result.js';
export type { FuncSpec, ParamSpec } from './marshal.js';
export type { FieldDesc, StructDesc, TypeDesc, TypeTable } from './layout.js';
export type { OeOutput } from './system-ocalls.js';
export type { TeecContext } from '../teec.js';
export { marshalCall, marshalReturn, unmarshalCall, unmarshalReturn } from './marshal.js';

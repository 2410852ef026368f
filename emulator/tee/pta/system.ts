/**
 * The system pseudo-TA (PTA_SYSTEM_UUID). libutee reaches it through the internal client API
 * for zero-initialised mappings (MAP_ZI, UNMAP) that TA-to-TA calls use as shareable bounce
 * buffers, and for device-unique keys. It acts on the calling TA's address space, so only TAs
 * may open it. MAP_ZI counts against the caller's memory limit (ta-space.ts); UNMAP gives the
 * bytes back.
 */
import type { DeriveSubkey } from '../huk.js';
import { memrefBytes, typesOf, type TaParams } from '../params.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_SECURITY, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS,
} from '../../abi/results.js';
import type { CallContext, CallerTa, EntryResult, SecureThread, TrustedService } from '../service.js';
import { MAP_ZI_BASE } from '../ta-space.js';
import { uuidFromTeeUuid, uuidToOctets } from '../../abi/uuid.js';
import { TeeError } from '../../abi/errors.js';
import {
  TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_VALUE_INPUT,
  TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_LOGIN_TRUSTED_APP,
} from '../../abi/tee-api.js';
import { TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import { type Session } from '../service.js';
import { PAGE_SIZE } from '../../machine/board.js';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_RPC_CMD_SUPP_PLUGIN, type MsgParam,
} from '../../abi/optee-msg.js';
import { answerValue, value, withPayload, type NormalWorld } from './normal-world-call.js';

export const PTA_SYSTEM_UUID = '3a2f8978-5dc0-11e8-9c2d-fa7ae01bbebc';
export const PTA_SYSTEM_ADD_RNG_ENTROPY = 0;
export const PTA_SYSTEM_DERIVE_TA_UNIQUE_KEY = 1;
export const PTA_SYSTEM_MAP_ZI = 2;
export const PTA_SYSTEM_UNMAP = 3;
export const PTA_SYSTEM_DLOPEN = 10;
export const PTA_SYSTEM_DLSYM = 11;
export const PTA_SYSTEM_SUPP_PLUGIN_INVOKE = 13;
export const PTA_SYSTEM_MAP_FLAG_SHAREABLE = 1 << 0;
const TA_DERIVED_KEY_MIN_SIZE = 16;
const TA_DERIVED_KEY_MAX_SIZE = 32;
const TA_DERIVED_EXTRA_DATA_MAX_SIZE = 1024;

/** The largest buffer of one tee-supplicant plugin call. */
const SUPP_PLUGIN_DATA_MAX = 1 << 20;

const RTLD_NOW = 2;
const RTLD_GLOBAL = 0x100;
const RTLD_NODELETE = 0x1000;

const types = (a: number, b = 0, c = 0, d = 0) => a | (b << 4) | (c << 8) | (d << 12);

/** The kernel's loader, for libdl's dlopen() and dlsym() (both throw a TeeError to refuse). */
export interface DynamicLinker {
  dlopen(ta: CallerTa, uuid: string): SecureThread<void>;
  /** `uuid` undefined: the handle of dlopen(NULL), every module. */
  dlsym(ta: CallerTa, uuid: string | undefined, name: string): number;
}

export class SystemPta implements TrustedService {
  readonly uuid = PTA_SYSTEM_UUID;
  readonly kind = 'pseudo' as const;

  /** `log`: the secure console, where refused mappings are reported. */
  /** `linker`: links library TAs into the calling instance (the kernel's loader); absent, DLOPEN and DLSYM are NOT_SUPPORTED. */
  /** `normalWorld`: RPCs to tee-supplicant's plugins; absent, SUPP_PLUGIN_INVOKE is NOT_SUPPORTED. */
  constructor(private readonly deriveKey: DeriveSubkey, private readonly log: (line: string) => void,
    private readonly linker?: DynamicLinker, private readonly normalWorld?: NormalWorld) {}

  *openSession(session: Session, _params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    if (session.client.login !== TEE_LOGIN_TRUSTED_APP || !ctx.callerTa) {
      return { result: TEE_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_TRUSTED_APP };
    }
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    const result = cmd === PTA_SYSTEM_DLOPEN ? yield* this.dlopenCommand(params, ctx)
      : cmd === PTA_SYSTEM_DLSYM ? this.dlsymCommand(params, ctx)
        : cmd === PTA_SYSTEM_SUPP_PLUGIN_INVOKE ? yield* this.suppPluginCommand(params, ctx) : this.command(session, cmd, params, ctx);
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(): SecureThread<void> {}

  /** DLOPEN: memref0 = TEE_UUID of the library, value1.a = dlopen flags (libdl passes only this set). */
  private *dlopenCommand(params: TaParams, ctx: CallContext): SecureThread<number> {
    const ta = ctx.callerTa;
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    if (!this.linker) return TEE_ERROR_NOT_SUPPORTED;
    const mem = params[0].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT) || !mem || mem.size !== 16) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    if (params[1].a !== (RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE)) return TEE_ERROR_BAD_PARAMETERS;
    try {
      yield* this.linker.dlopen(ta, uuidFromTeeUuid(memrefBytes(mem)));
      return TEE_SUCCESS;
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      this.log(`tee: TA ${ta.uuid} dlopen refused: ${error.message}`);
      return error.code;
    }
  }

  /**
   * DLSYM: memref0 = TEE_UUID of the handle's library (all zero: dlopen(NULL)'s handle), memref1 =
   * the symbol's name (up to its first NUL), value2 = its address (a: high word, b: low word).
   */
  private dlsymCommand(params: TaParams, ctx: CallContext): number {
    const ta = ctx.callerTa;
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    if (!this.linker) return TEE_ERROR_NOT_SUPPORTED;
    const uuidMem = params[0].mem;
    const nameMem = params[1].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)
      || !uuidMem || uuidMem.size !== 16 || !nameMem) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    const octets = memrefBytes(uuidMem);
    const raw = memrefBytes(nameMem);
    const end = raw.indexOf(0);
    const name = Buffer.from(end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
    try {
      const va = this.linker.dlsym(ta, octets.every((b) => b === 0) ? undefined : uuidFromTeeUuid(octets), name);
      params[2].a = Math.floor(va / 2 ** 32);
      params[2].b = va >>> 0;
      return TEE_SUCCESS;
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      this.log(`tee: TA ${ta.uuid} dlsym: ${error.message}`);
      return error.code;
    }
  }

  /**
   * SUPP_PLUGIN_INVOKE (libutee's tee_invoke_supp_plugin): memref0 = the plugin's TEE_UUID,
   * value1 = (cmd, sub_cmd), memref2 = data the plugin reads and may rewrite, value3.a = the
   * length the plugin answers. The call goes to tee-supplicant as OPTEE_RPC_CMD_SUPP_PLUGIN, its
   * result is the plugin's, and up to the buffer's size of the answer is copied back.
   */
  private *suppPluginCommand(params: TaParams, ctx: CallContext): SecureThread<number> {
    const ta = ctx.callerTa;
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    const nw = this.normalWorld;
    if (!nw) return TEE_ERROR_NOT_SUPPORTED;
    const uuidMem = params[0].mem;
    const data = params[2].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT)
      || !uuidMem || uuidMem.size !== 16 || (data && data.size === 0)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    const len = data?.size ?? 0;
    if (len > SUPP_PLUGIN_DATA_MAX) return TEE_ERROR_OUT_OF_MEMORY;
    const octets = uuidToOctets(uuidFromTeeUuid(memrefBytes(uuidMem)));
    const word = (i: number) => octets.readUInt32LE(4 * i);
    const started = performance.now();
    const send = (tmem: MsgParam) => nw.rpcCmd(OPTEE_RPC_CMD_SUPP_PLUGIN, [
      value(0 /* OPTEE_RPC_SUPP_PLUGIN_INVOKE */, word(0), word(1)), value(word(2), word(3), params[1].a),
      value(params[1].b, 0, 0, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT), tmem,
    ]);
    const result = yield* withPayload(nw, len, function* (p) {
      if (data) p.bytes.set(memrefBytes(data), 0);
      const answer = yield* send(p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, 0, len));
      const outLen = answerValue(answer, 2, 'b');
      if (data) data.window.set(p.bytes.subarray(0, Math.min(outLen, len)), data.offset);
      params[3].a = outLen;
      return answer.ret >>> 0;
    });
    // A plugin's time is the normal world's, not the TA's (as time parked is not).
    ta.creditParked(performance.now() - started);
    return result;
  }

  private command(session: Session, cmd: number, params: TaParams, ctx: CallContext): number {
    const ta = ctx.callerTa;
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    const t = typesOf(params);
    switch (cmd) {
      case PTA_SYSTEM_ADD_RNG_ENTROPY:
        return t === types(TEE_PARAM_TYPE_MEMREF_INPUT) ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
      case PTA_SYSTEM_DERIVE_TA_UNIQUE_KEY: {
        if (t !== types(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT)) return TEE_ERROR_BAD_PARAMETERS;
        const out = params[1].mem;
        if (!out || out.size < TA_DERIVED_KEY_MIN_SIZE || out.size > TA_DERIVED_KEY_MAX_SIZE) return TEE_ERROR_BAD_PARAMETERS;
        const extra = params[0].mem ? memrefBytes(params[0].mem) : new Uint8Array(0);
        if (extra.length > TA_DERIVED_EXTRA_DATA_MAX_SIZE) return TEE_ERROR_BAD_PARAMETERS;
        // The derived key must not land in non-secure memory by mistake (OP-TEE's rule).
        if (!out.secure) return TEE_ERROR_SECURITY;
        const key = this.deriveKey('taUnique', uuidToOctets(session.client.uuid), extra);
        out.window.set(key.subarray(0, out.size), out.offset);
        return TEE_SUCCESS;
      }
      case PTA_SYSTEM_MAP_ZI: {
        // OP-TEE 4.x libutee (tee_map_zi_va) sends value1 INOUT with a wanted address (0: any);
        // older ones, and our dev kit, send it OUTPUT.
        const inout = t === types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_VALUE_INPUT);
        if (!inout && t !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_INPUT)) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        const wanted = inout ? params[1].a * 2 ** 32 + params[1].b : 0;
        const size = params[0].a;
        const flags = params[0].b;
        if (size === 0 || (flags & ~PTA_SYSTEM_MAP_FLAG_SHAREABLE) !== 0) return TEE_ERROR_BAD_PARAMETERS;
        const bytes = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
        // The per-TA limit (image + stack + data size), set when the instance was made.
        const over = ta.space.overLimit(bytes);
        if (over) {
          this.log(`tee: TA ${ta.uuid} ${over}`);
          return TEE_ERROR_OUT_OF_MEMORY;
        }
        const va = wanted === 0 ? ta.space.findFree(bytes, MAP_ZI_BASE) : wanted;
        if (wanted !== 0 && (wanted % PAGE_SIZE !== 0 || ta.space.findFree(bytes, wanted) !== wanted)) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        ta.space.mapPrivate(va, bytes, 'rw', 'map_zi', undefined, (flags & PTA_SYSTEM_MAP_FLAG_SHAREABLE) !== 0);
        params[1].a = Math.floor(va / 2 ** 32);
        params[1].b = va >>> 0;
        return TEE_SUCCESS;
      }
      case PTA_SYSTEM_UNMAP: {
        if (t !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE)) return TEE_ERROR_BAD_PARAMETERS;
        const va = params[1].a * 2 ** 32 + params[1].b;
        const region = ta.space.regionAt(va);
        if (!region || region.kind !== 'map_zi' || region.va !== va
          || region.size !== Math.ceil(params[0].a / PAGE_SIZE) * PAGE_SIZE) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        ta.space.unmap(region);
        return TEE_SUCCESS;
      }
      default:
        return TEE_ERROR_NOT_SUPPORTED;
    }
  }
}

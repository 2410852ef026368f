/**
 * The kernel-side property sets a TA reaches through syscalls 3 and 4 (the TA's own
 * properties and a few implementation ones are answered inside the TA by its library).
 * Names as OP-TEE's kernel spells them; values encoded as OP-TEE copies them to user space.
 */
import { sha256 } from '../host/crypto.js';
import { uuidToTeeUuid } from '../abi/uuid.js';
import { type Session } from './service.js';

export const TEE_PROPSET_TEE_IMPLEMENTATION = 0xfffffffd;
export const TEE_PROPSET_CURRENT_CLIENT = 0xfffffffe;
export const TEE_PROPSET_CURRENT_TA = 0xffffffff;

/** enum user_ta_prop_type */
export const USER_TA_PROP_TYPE_BOOL = 0;
export const USER_TA_PROP_TYPE_U32 = 1;
export const USER_TA_PROP_TYPE_UUID = 2;
export const USER_TA_PROP_TYPE_IDENTITY = 3;
export const USER_TA_PROP_TYPE_STRING = 4;
export const USER_TA_PROP_TYPE_BINARY_BLOCK = 5;
export const USER_TA_PROP_TYPE_U64 = 6;

export interface Property {
  name: string;
  type: number;
  /** The bytes copied to the TA's buffer. */
  value: Buffer;
}

const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const bool = (v: boolean) => Buffer.from([v ? 1 : 0]);
const str = (s: string) => Buffer.from(`${s}\0`, 'utf8');

/** gpd.tee.deviceID: a name-based UUID from SHA-256("OPTEE" || die id), version 5 bits set. */
export function deviceId(dieId: Uint8Array): Buffer {
  const d = sha256(Buffer.from('OPTEE'), dieId);
  const id = Buffer.from(d.subarray(0, 16));
  // id is laid out as a TEE_UUID: timeHiAndVersion is the little-endian u16 at offset 6.
  id.writeUInt16LE((id.readUInt16LE(6) & 0x0fff) | 0x5000, 6);
  id[8] = (id[8]! & 0x3f) | 0x80;
  return id;
}

/** The TEE_IMPLEMENTATION set of this device. */
export function implementationProperties(dieId: Uint8Array): Property[] {
  return [
    { name: 'gpd.tee.apiversion', type: USER_TA_PROP_TYPE_STRING, value: str('GPD-1.1-dev') },
    { name: 'gpd.tee.description', type: USER_TA_PROP_TYPE_STRING, value: str('OPTEE') },
    { name: 'gpd.tee.deviceID', type: USER_TA_PROP_TYPE_UUID, value: deviceId(dieId) },
    { name: 'gpd.tee.systemTime.protectionLevel', type: USER_TA_PROP_TYPE_U32, value: u32(1000) },
    { name: 'gpd.tee.TAPersistentTime.protectionLevel', type: USER_TA_PROP_TYPE_U32, value: u32(100) },
    { name: 'gpd.tee.cryptography.ecc', type: USER_TA_PROP_TYPE_BOOL, value: bool(true) },
    { name: 'gpd.tee.trustedStorage.antiRollback.protectionLevel', type: USER_TA_PROP_TYPE_U32, value: u32(100) },
    { name: 'gpd.tee.trustedos.implementation.version', type: USER_TA_PROP_TYPE_STRING, value: str('4.10.0-trustbox') },
    { name: 'gpd.tee.trustedos.implementation.binaryversion', type: USER_TA_PROP_TYPE_U32, value: u32(0) },
    { name: 'gpd.tee.trustedos.manufacturer', type: USER_TA_PROP_TYPE_STRING, value: str('TrustBox emulator') },
    { name: 'gpd.tee.firmware.implementation.version', type: USER_TA_PROP_TYPE_STRING, value: str('trustbox-monitor 0.1') },
    { name: 'gpd.tee.firmware.implementation.binaryversion', type: USER_TA_PROP_TYPE_U32, value: u32(0) },
    { name: 'gpd.tee.firmware.manufacturer', type: USER_TA_PROP_TYPE_STRING, value: str('TrustBox emulator') },
  ];
}

/** The CURRENT_CLIENT set for a session. */
export function clientProperties(session: Session): Property[] {
  const identity = Buffer.alloc(20);
  identity.writeUInt32LE(session.client.login >>> 0, 0);
  uuidToTeeUuid(session.client.uuid).copy(identity, 4);
  return [
    { name: 'gpd.client.identity', type: USER_TA_PROP_TYPE_IDENTITY, value: identity },
    { name: 'gpd.client.endian', type: USER_TA_PROP_TYPE_U32, value: u32(0) },
  ];
}

/** The CURRENT_TA set (the rest of it lives in the TA's own ta_props). */
export function taProperties(uuid: string): Property[] {
  return [{ name: 'gpd.ta.appID', type: USER_TA_PROP_TYPE_UUID, value: uuidToTeeUuid(uuid) }];
}

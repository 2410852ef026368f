/**
 * Client identities for TEEC_OpenSession login methods, derived as Linux's TEE subsystem does
 * (drivers/tee/tee_core.c `tee_session_calc_client_uuid`): a UUIDv5 in OP-TEE's namespace
 * 58ac9ca0-2086-4683-a1b8-ec4bc08e01b6 over "uid=%x", "gid=%x", "app=%s" and so on.
 *
 * What the server can vouch for differs from a local driver: a WebSocket peer has no uid the
 * server can check, so USER logins use the uid of the server process (the user who booted the
 * device), GROUP logins take the gid from the connection data without a membership check, and
 * APPLICATION logins use the client name from the hello. docs/protocol.md says so.
 */
import { digest } from '../host/crypto.js';
import {
  TEEC_LOGIN_APPLICATION, TEEC_LOGIN_GROUP, TEEC_LOGIN_GROUP_APPLICATION, TEEC_LOGIN_PUBLIC, TEEC_LOGIN_USER,
  TEEC_LOGIN_USER_APPLICATION,
} from '../abi/protocol.js';

const NAMESPACE = Buffer.from('58ac9ca020864683a1b8ec4bc08e01b6', 'hex');

export const LOGIN_METHODS = new Set([
  TEEC_LOGIN_PUBLIC, TEEC_LOGIN_USER, TEEC_LOGIN_GROUP, TEEC_LOGIN_APPLICATION, TEEC_LOGIN_USER_APPLICATION,
  TEEC_LOGIN_GROUP_APPLICATION,
]);

/** UUIDv5 (SHA-1) of `name` in the TEE client namespace, as 8-4-4-4-12 text. */
export function uuidV5(name: string): string {
  const h = digest('sha1', NAMESPACE, Buffer.from(name, 'utf8')).subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The client UUID the TA sees for a login method, or undefined for PUBLIC (nil UUID). */
export function clientUuid(login: number, connectionData: number | undefined, application: string): string | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const gid = connectionData ?? 0;
  switch (login) {
    case TEEC_LOGIN_USER: return uuidV5(`uid=${uid.toString(16)}`);
    case TEEC_LOGIN_GROUP: return uuidV5(`gid=${gid.toString(16)}`);
    case TEEC_LOGIN_APPLICATION: return uuidV5(`app=${application}`);
    case TEEC_LOGIN_USER_APPLICATION: return uuidV5(`uid=${uid.toString(16)}:app=${application}`);
    case TEEC_LOGIN_GROUP_APPLICATION: return uuidV5(`gid=${gid.toString(16)}:app=${application}`);
    default: return undefined;
  }
}

/**
 * The REE file system RPC (OPTEE_RPC_CMD_FS), as OP-TEE's optee_rpc_cmd.h defines it: the
 * contract between the secure world's file client (tee/storage/fs-rpc.ts) and tee-supplicant's
 * file server (ree/fs-server.ts), which sit on either side of the world boundary and share only
 * these numbers and this layout.
 *
 * Parameters of one FS RPC (an optee_msg_arg with cmd OPTEE_RPC_CMD_FS):
 * - value0 (VALUE_INPUT): a = the sub-operation below; b = the file descriptor (CLOSE, READ,
 *   WRITE, TRUNCATE), the directory stream (CLOSEDIR, READDIR) or "overwrite" (RENAME);
 *   c = the file offset (READ, WRITE) or the new length (TRUNCATE).
 * - memref1 (TMEM): the NUL-terminated name "/<dir>/<file>" (OPEN, CREATE, REMOVE, OPENDIR,
 *   RENAME's source), the data (WRITE: input; READ: output, its size updated), or the next
 *   directory entry (READDIR: output).
 * - memref2 (TMEM_INPUT): RENAME's target name.
 * - value2 (VALUE_OUTPUT): a = the new file descriptor (OPEN, CREATE) or directory stream
 *   (OPENDIR).
 */

/** FS sub-operations (value0.a). */
export const OPTEE_RPC_FS_OPEN = 0;
export const OPTEE_RPC_FS_CREATE = 1;
export const OPTEE_RPC_FS_CLOSE = 2;
export const OPTEE_RPC_FS_READ = 3;
export const OPTEE_RPC_FS_WRITE = 4;
export const OPTEE_RPC_FS_TRUNCATE = 5;
export const OPTEE_RPC_FS_REMOVE = 6;
export const OPTEE_RPC_FS_RENAME = 7;
export const OPTEE_RPC_FS_OPENDIR = 8;
export const OPTEE_RPC_FS_CLOSEDIR = 9;
export const OPTEE_RPC_FS_READDIR = 10;

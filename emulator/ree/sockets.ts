/**
 * The supplicant's sockets (OPTEE_RPC_CMD_SOCKET): TCP and UDP connections of TAs (GP's TEE
 * Sockets API through the socket PTA), made by the host for the device as tee-supplicant makes
 * them on a board. The message shapes are OP-TEE's (sub-ops OPEN 0, CLOSE 1, CLOSE_ALL 2,
 * SEND 3, RECV 4, IOCTL 5; value0 = sub-op, instance, handle); the sockets are the host's own,
 * non-blocking (native/sockets.c, through koffi). Nothing here waits: the device serves every
 * call from one thread, so a send the socket cannot take, a receive with nothing queued, or a
 * connection still under way is answered at once, and the socket PTA parks its secure thread
 * and asks again until the TA's timeout. Our one addition to OP-TEE's shapes: OPEN answers
 * value3.b = 1 while the connection is under way, and is asked again with value0.c = the handle.
 *
 * Handles belong to a TA instance: another instance's handle is BAD_PARAMETERS, and CLOSE_ALL
 * (the instance's session with the PTA ends) closes all of them. An instance may have 64 open, the
 * device 512 (host descriptors are finite): past that OPEN is TEE_ISOCKET_ERROR_OUT_OF_RESOURCES.
 */
import koffi from 'koffi';
import { findNativeLibrary } from '../host/native.js';
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, type MsgArg, type MsgParam,
} from '../abi/optee-msg.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_SUPPORTED, TEE_SUCCESS, resultName } from '../abi/results.js';
import {
  SOCKET_CLOSE, SOCKET_CLOSE_ALL, SOCKET_DATA_MAX, SOCKET_IOCTL, SOCKET_OPEN, SOCKET_RECV, SOCKET_SEND, TEE_ISOCKET_ERROR_HOSTNAME,
  TEE_ISOCKET_ERROR_OUT_OF_RESOURCES, TEE_ISOCKET_ERROR_TIMEOUT, TEE_TCP_SET_RECVBUF, TEE_TCP_SET_SENDBUF, TEE_UDP_CHANGEADDR, TEE_UDP_CHANGEPORT,
} from '../abi/isocket.js';
import type { EventBus } from '../trace/events.js';
import type { RpcCommandHandler, ShmAccess } from './rpc-command.js';

const SOCKETS_LIBRARY = 'libtrustbox-sockets.so';
/** Sockets one TA instance may have open, and the device in all: host descriptors are finite. */
export const SOCKETS_PER_INSTANCE = 64;
export const SOCKETS_PER_DEVICE = 512;

interface Native {
  connect(ipVersion: number, protocol: number, host: string, port: number, first: number, fd: number[], index: number[], inProgress: number[]): number;
  connected(fd: number): number;
  send(fd: number, buf: Buffer, len: number, sent: number[]): number;
  recv(fd: number, buf: Buffer | null, len: number, got: number[]): number;
  setbuf(fd: number, which: number, val: Buffer, len: number): number;
  type(fd: number): number;
  udpPort(fd: number, port: number): number;
  udpAddr(fd: number, host: string): number;
  close(fd: number): void;
}

let native: Native | null | undefined;

/** The native library (native/build/, built by `npm run build`), or null when it is missing. */
function loadNative(): Native | null {
  if (native !== undefined) return native;
  const path = findNativeLibrary(SOCKETS_LIBRARY);
  if (!path) return (native = null);
  const lib = koffi.load(path);
  native = {
    connect: lib.func('uint32_t tb_sock_connect(uint32_t, uint32_t, const char *, uint32_t, uint32_t, _Out_ int32_t *, _Out_ uint32_t *, _Out_ uint32_t *)'),
    connected: lib.func('uint32_t tb_sock_connected(int32_t)'),
    send: lib.func('uint32_t tb_sock_send(int32_t, const void *, uint32_t, _Out_ uint32_t *)'),
    recv: lib.func('uint32_t tb_sock_recv(int32_t, void *, uint32_t, _Out_ uint32_t *)'),
    setbuf: lib.func('uint32_t tb_sock_setbuf(int32_t, uint32_t, const void *, uint32_t)'),
    type: lib.func('uint32_t tb_sock_type(int32_t)'),
    udpPort: lib.func('uint32_t tb_sock_udp_port(int32_t, uint32_t)'),
    udpAddr: lib.func('uint32_t tb_sock_udp_addr(int32_t, const char *)'),
    close: lib.func('void tb_sock_close(int32_t)'),
    lib,
  } as Native;
  return native;
}

interface Socket {
  fd: number;
  protocol: number;
  ipVersion: number;
  host: string;
  port: number;
  /** Which of the host's addresses the socket connects to (the next is tried if it fails). */
  index: number;
  connecting: boolean;
}

type Params = (MsgParam | undefined)[];
const kind = (p: MsgParam | undefined) => (p ? p.attr & OPTEE_MSG_ATTR_TYPE_MASK : -1);
const u32 = (v: bigint | undefined) => Number((v ?? 0n) & 0xffffffffn);

export class SocketServer {
  private readonly instances = new Map<number, Map<number, Socket>>();
  private nextHandle = 1;
  private readonly lib = loadNative();

  constructor(private readonly shm: ShmAccess, private readonly events?: EventBus) {}

  /** Sockets open now (all instances). */
  get open(): number {
    let n = 0;
    for (const m of this.instances.values()) n += m.size;
    return n;
  }

  handler(): RpcCommandHandler {
    return (arg: MsgArg) => {
      const p = arg.params;
      if (!this.lib) {
        arg.ret = TEE_ERROR_NOT_SUPPORTED;
        return;
      }
      if (kind(p[0]) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) {
        arg.ret = TEE_ERROR_BAD_PARAMETERS;
        return;
      }
      const op = u32(p[0]!.a);
      const instance = u32(p[0]!.b);
      const handle = u32(p[0]!.c);
      arg.ret = this.serve(op, instance, handle, p) >>> 0;
      if (this.events?.wants('rpc')) {
        this.events.emit({ type: 'rpc', name: 'SOCKET', detail: `${OPS[op] ?? `op ${op}`} instance ${instance} handle ${handle} -> ${resultName(arg.ret)}` });
      }
    };
  }

  private serve(op: number, instance: number, handle: number, p: Params): number {
    switch (op) {
      case SOCKET_OPEN: return this.openSocket(instance, handle, p);
      case SOCKET_CLOSE: {
        const s = this.take(instance, handle);
        if (!s) return TEE_ERROR_BAD_PARAMETERS;
        this.lib!.close(s.fd);
        return TEE_SUCCESS;
      }
      case SOCKET_CLOSE_ALL: {
        for (const s of this.instances.get(instance)?.values() ?? []) this.lib!.close(s.fd);
        this.instances.delete(instance);
        return TEE_SUCCESS;
      }
      case SOCKET_SEND: return this.send(instance, handle, p);
      case SOCKET_RECV: return this.recv(instance, handle, p);
      case SOCKET_IOCTL: return this.ioctl(instance, handle, p);
      default: return TEE_ERROR_BAD_PARAMETERS;
    }
  }

  /** OPEN: a new connection, or (value0.c = its handle) one under way asked again. */
  private openSocket(instance: number, again: number, p: Params): number {
    if (kind(p[1]) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT || kind(p[2]) !== OPTEE_MSG_ATTR_TYPE_TMEM_INPUT
      || kind(p[3]) !== OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT) return TEE_ERROR_BAD_PARAMETERS;
    const out = p[3]!;
    let s: Socket;
    let failed: number | undefined;
    if (again) {
      const found = this.instances.get(instance)?.get(again);
      if (!found?.connecting) return TEE_ERROR_BAD_PARAMETERS;
      s = found;
      const r = this.lib!.connected(s.fd);
      if (r === TEE_ISOCKET_ERROR_TIMEOUT) return this.pending(out, again);
      if (r === TEE_SUCCESS) {
        s.connecting = false;
        return this.opened(out, again);
      }
      this.lib!.close(s.fd);
      failed = r;
      s.index += 1; // that address failed: the next one
    } else {
      if ((this.instances.get(instance)?.size ?? 0) >= SOCKETS_PER_INSTANCE || this.open >= SOCKETS_PER_DEVICE) {
        return TEE_ISOCKET_ERROR_OUT_OF_RESOURCES;
      }
      const size = Number(p[2]!.b);
      const bytes = size > 0 && size <= 4096 ? this.shm.copyIn(p[2]!.a, size) : undefined;
      if (!bytes || bytes[size - 1] !== 0) return TEE_ISOCKET_ERROR_HOSTNAME;
      s = {
        fd: -1, port: u32(p[1]!.a), protocol: u32(p[1]!.b), ipVersion: u32(p[1]!.c),
        host: bytes.subarray(0, bytes.indexOf(0)).toString('latin1'), index: 0, connecting: true,
      };
    }
    const fd = [-1];
    const index = [0];
    const inProgress = [0];
    const r = this.lib!.connect(s.ipVersion, s.protocol, s.host, s.port, s.index, fd, index, inProgress) >>> 0;
    if (r !== TEE_SUCCESS) {
      if (again) this.take(instance, again);
      // No address left after one that failed: that failure, not "no such host".
      return failed !== undefined && r === TEE_ISOCKET_ERROR_HOSTNAME ? failed : r;
    }
    s.fd = fd[0]!;
    s.index = index[0]!;
    s.connecting = inProgress[0] === 1;
    const handle = again || this.add(instance, s);
    return s.connecting ? this.pending(out, handle) : this.opened(out, handle);
  }

  private pending(out: MsgParam, handle: number): number {
    out.a = BigInt(handle);
    out.b = 1n;
    return TEE_SUCCESS;
  }

  private opened(out: MsgParam, handle: number): number {
    out.a = BigInt(handle);
    out.b = 0n;
    return TEE_SUCCESS;
  }

  private send(instance: number, handle: number, p: Params): number {
    if (kind(p[1]) !== OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || kind(p[2]) !== OPTEE_MSG_ATTR_TYPE_VALUE_INOUT) return TEE_ERROR_BAD_PARAMETERS;
    const s = this.ready(instance, handle);
    const size = Number(p[1]!.b);
    const data = size > SOCKET_DATA_MAX ? undefined : size === 0 ? Buffer.alloc(0) : this.shm.copyIn(p[1]!.a, size);
    if (!s || !data) return TEE_ERROR_BAD_PARAMETERS;
    const sent = [0];
    const r = this.lib!.send(s.fd, data, data.length, sent) >>> 0;
    if (r === TEE_SUCCESS) p[2]!.b = BigInt(sent[0]!);
    return r;
  }

  private recv(instance: number, handle: number, p: Params): number {
    if (kind(p[1]) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || kind(p[2]) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) return TEE_ERROR_BAD_PARAMETERS;
    const s = this.ready(instance, handle);
    const size = Number(p[1]!.b);
    if (!s || size > SOCKET_DATA_MAX) return TEE_ERROR_BAD_PARAMETERS;
    const buf = Buffer.alloc(size);
    const got = [0];
    const r = this.lib!.recv(s.fd, size > 0 ? buf : null, size, got) >>> 0;
    if (r !== TEE_SUCCESS) return r;
    if (size > 0 && !this.shm.copyOut(p[1]!.a, buf.subarray(0, Math.min(size, got[0]!)))) return TEE_ERROR_BAD_PARAMETERS;
    p[1]!.b = BigInt(got[0]!);
    return TEE_SUCCESS;
  }

  private ioctl(instance: number, handle: number, p: Params): number {
    if (kind(p[1]) !== OPTEE_MSG_ATTR_TYPE_TMEM_INOUT || kind(p[2]) !== OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) return TEE_ERROR_BAD_PARAMETERS;
    const s = this.ready(instance, handle);
    const size = Number(p[1]!.b);
    const buf = size > 4096 ? undefined : size === 0 ? Buffer.alloc(0) : this.shm.copyIn(p[1]!.a, size);
    if (!s || !buf) return TEE_ERROR_BAD_PARAMETERS;
    const command = u32(p[2]!.a);
    const type = this.lib!.type(s.fd);
    if (type === 1 && (command === TEE_TCP_SET_RECVBUF || command === TEE_TCP_SET_SENDBUF)) {
      return this.lib!.setbuf(s.fd, command === TEE_TCP_SET_SENDBUF ? 1 : 0, buf, buf.length);
    }
    if (type === 2 && command === TEE_UDP_CHANGEPORT) {
      return buf.length === 2 ? this.lib!.udpPort(s.fd, buf.readUInt16LE(0)) : TEE_ERROR_BAD_PARAMETERS;
    }
    if (type === 2 && command === TEE_UDP_CHANGEADDR) {
      if (buf.length === 0 || buf[buf.length - 1] !== 0) return TEE_ISOCKET_ERROR_HOSTNAME;
      return this.lib!.udpAddr(s.fd, buf.subarray(0, buf.indexOf(0)).toString('latin1'));
    }
    return TEE_ERROR_NOT_SUPPORTED;
  }

  /** The instance's connected socket `handle`. */
  private ready(instance: number, handle: number): Socket | undefined {
    const s = this.instances.get(instance)?.get(handle);
    return s && !s.connecting ? s : undefined;
  }

  private add(instance: number, s: Socket): number {
    let m = this.instances.get(instance);
    if (!m) this.instances.set(instance, (m = new Map()));
    const handle = this.nextHandle;
    this.nextHandle = this.nextHandle >= 0x7fffffff ? 1 : this.nextHandle + 1;
    m.set(handle, s);
    return handle;
  }

  private take(instance: number, handle: number): Socket | undefined {
    const m = this.instances.get(instance);
    const s = m?.get(handle);
    m?.delete(handle);
    return s;
  }

  /** Closes every socket (the device powers off). */
  closeAll(): void {
    for (const m of this.instances.values()) for (const s of m.values()) if (s.fd >= 0) this.lib?.close(s.fd);
    this.instances.clear();
  }
}

const OPS: Record<number, string> = { 0: 'OPEN', 1: 'CLOSE', 2: 'CLOSE_ALL', 3: 'SEND', 4: 'RECV', 5: 'IOCTL' };

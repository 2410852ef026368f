/**
 * GP sockets of TAs (the socket PTA, OPTEE_RPC_CMD_SOCKET, the supplicant's non-blocking host
 * sockets in native/sockets.c): a real TA (rpcprobe, forwarding to the PTA as OP-TEE's libutee
 * calls it) talks TCP and UDP to echo servers on loopback in another process. Timeouts, a
 * refused connection, a bad host name, truncated datagrams, a peer that closes, UDP peers that
 * move, and sockets closed with the TA's session to the PTA.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import type { ParamSpec } from '../../emulator/client/types.js';

const ROOT = join(import.meta.dirname, '../..');
const RPCPROBE = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const SOCKET = 0x100;
const OPEN = SOCKET + 1;
const CLOSE = SOCKET + 2;
const SEND = SOCKET + 3;
const RECV = SOCKET + 4;
const IOCTL = SOCKET + 5;
const SOCKET_END = 0x1ff;
const TCP = 0x65;
const UDP = 0x66;
const IPV4 = 1;
const INFINITE = 0xffffffff;
const TIMEOUT = 0xf1007003;
const HOSTNAME = 0xf1007007;
const TEE_ERROR_COMMUNICATION = 0xffff000e;
const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;
const TEE_ERROR_NOT_SUPPORTED = 0xffff000a;
const TCP_SET_RECVBUF = 0x65f00000;
const UDP_CHANGEPORT = 0x66000002;

let servers: ChildProcess;
let ports: { tcp: number; udp: number; udp2: number; closed: number };
let dev: TestDevice;
let session: number;

beforeAll(async () => {
  servers = spawn(process.execPath, [join(ROOT, 'test/fixtures/sockets/echo-servers.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: servers.stdout! }), 'line') as [string];
  ports = JSON.parse(line);
  dev = bootDevice({ taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')], trace: true, watchdogMs: 5000 });
  const s = dev.client.openSession(RPCPROBE);
  expect(s.result).toBe(TEE_SUCCESS);
  session = s.session!;
});
afterAll(() => {
  dev?.close();
  servers?.stdin?.end();
});

const call = (cmd: number, params: ParamSpec[]) => dev.client.invoke(session, cmd, params);
const value = (r: ReturnType<typeof call>, i: number) => {
  const p = r.params[i]!;
  return p.type === 'value' ? p.a : -1;
};

function open(protocol: number, port: number, host = '127.0.0.1') {
  const r = call(OPEN, [{ type: 'value-in', a: IPV4, b: port }, { type: 'memref-in', data: Buffer.from(`${host}\0`) },
    { type: 'value-in', a: protocol, b: 0 }, { type: 'value-out' }]);
  return { result: r.result >>> 0, handle: value(r, 3) };
}
function send(handle: number, data: Buffer, timeout = INFINITE) {
  const r = call(SEND, [{ type: 'value-in', a: handle, b: timeout }, { type: 'memref-in', data }, { type: 'value-out' }]);
  return { result: r.result >>> 0, sent: value(r, 2) };
}
function recv(handle: number, size: number, timeout = INFINITE) {
  const r = call(RECV, [{ type: 'value-in', a: handle, b: timeout }, { type: 'memref-out', size }]);
  const p = r.params[1]!;
  return { result: r.result >>> 0, size: p.type === 'memref' ? p.size : -1, data: p.type === 'memref' ? Buffer.from(p.data) : Buffer.alloc(0) };
}
const close = (handle: number) => call(CLOSE, [{ type: 'value-in', a: handle, b: 0 }]).result >>> 0;

describe('TCP', () => {
  it('a TA connects, sends, and receives the echo; closes; the handle is then unknown', () => {
    const s = open(TCP, ports.tcp);
    expect(s.result).toBe(TEE_SUCCESS);
    expect(send(s.handle, Buffer.from('hello, network'))).toEqual({ result: TEE_SUCCESS, sent: 14 });
    const r = recv(s.handle, 64);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.data.subarray(0, r.size).toString()).toBe('hello, network');
    expect(dev.events.some((e) => e.type === 'rpc' && e.name === 'SOCKET' && String(e.detail).startsWith('SEND'))).toBe(true);
    expect(close(s.handle)).toBe(TEE_SUCCESS);
    expect(close(s.handle)).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('a receive with nothing to come ends in TIMEOUT after the TA\'s timeout, its size untouched; a peer that closes gives 0 bytes', () => {
    const s = open(TCP, ports.tcp);
    const t0 = performance.now();
    const r = recv(s.handle, 32, 60);
    expect(r.result).toBe(TIMEOUT);
    expect(r.size).toBe(32);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    send(s.handle, Buffer.from('bye'));
    expect(recv(s.handle, 32).data.subarray(0, 3).toString()).toBe('bye');
    expect(recv(s.handle, 32)).toMatchObject({ result: TEE_SUCCESS, size: 0 });
    close(s.handle);
  });

  it('ioctl: the receive buffer size is set; a command of no protocol is NOT_SUPPORTED', () => {
    const s = open(TCP, ports.tcp);
    const four = Buffer.alloc(4);
    four.writeUInt32LE(4096);
    expect(call(IOCTL, [{ type: 'value-in', a: s.handle, b: TCP_SET_RECVBUF }, { type: 'memref-inout', data: four }]).result).toBe(TEE_SUCCESS);
    expect(call(IOCTL, [{ type: 'value-in', a: s.handle, b: UDP_CHANGEPORT }, { type: 'memref-inout', data: four }]).result >>> 0)
      .toBe(TEE_ERROR_NOT_SUPPORTED);
    close(s.handle);
  });

  it('a refused connection is COMMUNICATION, a name that does not resolve HOSTNAME; the device goes on', () => {
    expect(open(TCP, ports.closed).result).toBe(TEE_ERROR_COMMUNICATION);
    expect(open(TCP, 80, 'no-such-host.invalid').result).toBe(HOSTNAME);
    expect(open(TCP, ports.tcp).result).toBe(TEE_SUCCESS);
  });
});

describe('UDP', () => {
  it('a datagram and its echo; a zero-size receive says how long the next one is; a short buffer truncates it', () => {
    const s = open(UDP, ports.udp);
    expect(s.result).toBe(TEE_SUCCESS);
    const dgram = Buffer.alloc(64, 0).map((_, i) => i);
    expect(send(s.handle, dgram).sent).toBe(64);
    let queued = 0;
    for (let i = 0; i < 200 && queued === 0; i++) queued = recv(s.handle, 0).size;
    expect(queued).toBe(64);
    const r = recv(s.handle, 32);
    expect(r).toMatchObject({ result: TEE_SUCCESS, size: 64 });
    expect(r.data.subarray(0, 32)).toEqual(dgram.subarray(0, 32));
    close(s.handle);
  });

  it('TEE_UDP_CHANGEPORT moves the peer: the next echo comes from the second server', () => {
    const s = open(UDP, ports.udp);
    const port = Buffer.alloc(2);
    port.writeUInt16LE(ports.udp2);
    expect(call(IOCTL, [{ type: 'value-in', a: s.handle, b: UDP_CHANGEPORT }, { type: 'memref-inout', data: port }]).result).toBe(TEE_SUCCESS);
    send(s.handle, Buffer.from('moved'));
    const r = recv(s.handle, 32);
    expect(r.data.subarray(0, r.size).toString()).toBe('2:moved');
    close(s.handle);
  });
});

describe('GP\'s socket API of the dev kit (TEE_tcpSocket, TEE_udpSocket)', () => {
  const GP_ECHO = 0x200;
  const echo = (protocol: number, port: number, data: Buffer, host = '127.0.0.1') => {
    const r = call(GP_ECHO, [{ type: 'value-in', a: port, b: protocol }, { type: 'memref-in', data: Buffer.from(host) },
      { type: 'memref-inout', data }, { type: 'value-out' }]);
    const m = r.params[2]!;
    return { result: value(r, 3) >>> 0, error: r.params[3]!.type === 'value' ? r.params[3]!.b >>> 0 : -1,
      data: m.type === 'memref' ? Buffer.from(m.data).subarray(0, m.size).toString() : '' };
  };

  it('open, send, recv, error and close over TCP and UDP', () => {
    expect(echo(TCP, ports.tcp, Buffer.from('over tcp'))).toEqual({ result: TEE_SUCCESS, error: TEE_SUCCESS, data: 'over tcp' });
    expect(echo(UDP, ports.udp, Buffer.from('over udp'))).toEqual({ result: TEE_SUCCESS, error: TEE_SUCCESS, data: 'over udp' });
  });

  it('a host name that does not resolve: open answers ERROR_PROTOCOL with the protocol error HOSTNAME, as GP says', () => {
    expect(echo(TCP, 80, Buffer.from('x'), 'no-such-host.invalid')).toMatchObject({ result: 0xf1007001, error: HOSTNAME });
  });
});

describe('sockets of a TA instance', () => {
  it('close with its session to the socket PTA (CLOSE_ALL)', () => {
    open(TCP, ports.tcp);
    open(UDP, ports.udp);
    expect(dev.device.supplicantService.sockets.open).toBeGreaterThan(0);
    expect(call(SOCKET_END, []).result).toBe(TEE_SUCCESS);
    expect(dev.device.supplicantService.sockets.open).toBe(0);
  });

  it('are at most 64 per instance: the next open is OUT_OF_RESOURCES, and closing one makes room', () => {
    const handles: number[] = [];
    for (let i = 0; i < 64; i++) {
      const s = open(UDP, ports.udp);
      expect(s.result).toBe(TEE_SUCCESS);
      handles.push(s.handle);
    }
    expect(open(UDP, ports.udp).result).toBe(0xf1007004);
    expect(close(handles.pop()!)).toBe(TEE_SUCCESS);
    expect(open(UDP, ports.udp).result).toBe(TEE_SUCCESS);
    expect(call(SOCKET_END, []).result).toBe(TEE_SUCCESS);
    expect(dev.device.supplicantService.sockets.open).toBe(0);
  });

  it('close when the device powers off', () => {
    const other = bootDevice({ taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')] });
    const s = other.client.openSession(RPCPROBE).session!;
    const r = other.client.invoke(s, OPEN, [{ type: 'value-in', a: IPV4, b: ports.tcp }, { type: 'memref-in', data: Buffer.from('127.0.0.1\0') },
      { type: 'value-in', a: TCP, b: 0 }, { type: 'value-out' }]);
    expect(r.result).toBe(TEE_SUCCESS);
    const sockets = other.device.supplicantService.sockets;
    expect(sockets.open).toBe(1);
    other.close();
    expect(sockets.open).toBe(0);
  });
});

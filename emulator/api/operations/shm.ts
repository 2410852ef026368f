/**
 * allocateSharedMemory, registerSharedMemory and releaseSharedMemory: blocks of the device's
 * client pool, registered with the TEE, recorded in the connection's table (shm-table.ts).
 * Both allocations are the same on the device: the client library owns the client-side buffer.
 */
import { ProtocolError, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT } from '../../abi/protocol.js';
import { DeviceHostError } from '../../device/host.js';
import type { Connection } from '../connection.js';
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

/** Registers a new block of `context` within the connection's limits; resolves with its id. */
async function newShm(s: Services, c: Connection, context: number, size: number, flags: number): Promise<{ shm: number }> {
  c.ownContext(context);
  if (flags === 0 || (flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) !== 0) {
    throw protocolError('BAD_ARGUMENTS', 'flags must be a non-zero subset of TEEC_MEM_INPUT | TEEC_MEM_OUTPUT');
  }
  const { maxShmBlocks, maxShmBytes } = s.limits;
  if (c.shm.count >= maxShmBlocks || c.shm.bytesInUse + size > maxShmBytes) {
    throw protocolError('SHM_LIMIT', `shared memory limit: ${maxShmBlocks} blocks, ${maxShmBytes} bytes per connection (${c.shm.bytesInUse} in use)`);
  }
  const total = s.totals().shmBytes;
  if (total + size > s.limits.maxTotalShmBytes) {
    throw protocolError('DEVICE_SHM_LIMIT', `the device's clients hold ${total} of ${s.limits.maxTotalShmBytes} bytes of shared memory; try again when some is released`);
  }
  const id = s.newId();
  c.shm.reserve(id, context, size, flags);
  let cookie: bigint;
  try {
    ({ cookie } = await s.device.call('registerShm', { size }));
  } catch (error) {
    c.shm.remove(id);
    if (error instanceof DeviceHostError && error.result === ProtocolError.SHM_LIMIT.result) {
      throw protocolError('SHM_LIMIT', `the device's client shared memory pool is full: ${error.message}`);
    }
    throw error;
  }
  // Released, finalized or disconnected while the device registered it: give it back.
  if (!c.shm.settle(id, cookie)) void s.device.call('releaseShm', { cookie }).catch(() => {});
  return { shm: id };
}

/** Handlers of allocateSharedMemory, registerSharedMemory and releaseSharedMemory. */
export function shmOperations(s: Services): Handlers<'allocateSharedMemory' | 'registerSharedMemory' | 'releaseSharedMemory'> {
  return {
    allocateSharedMemory: (c, a) => newShm(s, c, a.context, a.size, a.flags),
    registerSharedMemory: (c, a) => newShm(s, c, a.context, a.size, a.flags),
    releaseSharedMemory: async (c, a) => {
      const block = c.shm.remove(a.shm);
      if (!block) throw protocolError('NOT_FOUND', `shared memory ${a.shm} is not one of this connection's`);
      // A block still registering is released by newShm when it sees it removed.
      if (block.cookie !== undefined) await s.device.call('releaseShm', { cookie: block.cookie });
      return {};
    },
  };
}

/**
 * Cancellation flags shared by a `DeviceHost` and its worker: an Int32Array over a
 * SharedArrayBuffer. Cancellation cannot wait in the work queue (the worker is busy running
 * the very TA to cancel), so the main thread writes into these slots and the worker's TEE core
 * reads them whenever a TA asks for its cancellation flag or TEE_Wait polls.
 *
 * A slot holds 0 (free), a session id (the command running on it is cancelled) or a negated
 * cancel id (the openSession in progress that carries it is cancelled: it has no session id
 * yet, OPTEE_MSG cancel_id).
 */

/** Slots: cancellations that can be pending at once. */
export const CANCEL_FLAG_SLOTS = 64;
/** Session and cancel ids are positive signed 32-bit numbers (so that their negation fits a slot). */
const MAX_ID = 0x7fffffff;

/** Allocates the shared slots; pass them to a `CancelFlags` on each side. */
export function cancelFlagsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CANCEL_FLAG_SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** One side's view of the cancellation flags: the host raises and lowers, the worker reads. */
export class CancelFlags {
  private readonly slots: Int32Array;
  /** Host side: which slot holds each raised key. */
  private readonly raised = new Map<number, number>();

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer);
  }

  /** Host: flags the command running on `session`; false if the id is invalid or every slot is taken. */
  cancelSession(session: number): boolean {
    return valid(session) && this.raise(session);
  }

  clearSession(session: number): void {
    this.lower(session);
  }

  /** Host: flags the open in progress that carries `cancelId` (a positive, device-wide unique id). */
  cancelOpen(cancelId: number): boolean {
    return valid(cancelId) && this.raise(-cancelId);
  }

  clearOpen(cancelId: number): void {
    this.lower(-cancelId);
  }

  /** Worker: whether session `id` (or the open carrying `openCancelId`, when non-zero) is flagged. */
  isFlagged(id: number, openCancelId: number): boolean {
    const open = openCancelId ? -openCancelId : 0;
    for (let i = 0; i < CANCEL_FLAG_SLOTS; i++) {
      const v = Atomics.load(this.slots, i);
      if (v === id || (open !== 0 && v === open)) return true;
    }
    return false;
  }

  private raise(key: number): boolean {
    if (this.raised.has(key)) return true;
    for (let i = 0; i < CANCEL_FLAG_SLOTS; i++) {
      if (Atomics.compareExchange(this.slots, i, 0, key) === 0) {
        this.raised.set(key, i);
        return true;
      }
    }
    return false;
  }

  private lower(key: number): void {
    const slot = this.raised.get(key);
    if (slot === undefined) return;
    this.raised.delete(key);
    Atomics.store(this.slots, slot, 0);
  }
}

function valid(id: number): boolean {
  return id > 0 && id <= MAX_ID;
}

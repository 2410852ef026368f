/**
 * The host bridge: the paravirtual device through which the host side (API server,
 * supplicant) talks to the normal-world firmware. Register map and request layout are in
 * `firmware/include/hostbridge.h`; the constants below mirror it and a unit test checks them.
 */
export const HB_REG_MAGIC = 0x000;
export const HB_REG_VERSION = 0x004;
export const HB_REG_MBOX_LO = 0x008;
export const HB_REG_MBOX_HI = 0x00c;
export const HB_REG_SLOT_COUNT = 0x010;
export const HB_REG_POOL_LO = 0x014;
export const HB_REG_POOL_SIZE = 0x018;
export const HB_REG_QUEUE_LO = 0x01c;
export const HB_REG_SUPP_CALL = 0x028;
export const HB_REG_READY = 0x02c;
export const HB_REG_PROBE = 0x030;

export const HB_MAGIC = 0x42485442;
export const HB_VERSION = 4;
export const HB_NONE = 0xffffffff;
export const HB_READY_VALUE = 1;
export const HB_SLOT_SIZE = 512;
export const HB_QUEUE_ENTRIES = 64;
export const HB_QUEUE_OFF_HEAD = 0;
export const HB_QUEUE_OFF_TAIL = 4;
export const HB_QUEUE_OFF_RING = 8;
export const HB_QUEUE_OFF_PARKED = 264;
export const HB_DONE_VALUE = 1;

export const HB_OP_OPEN_SESSION = 1;
export const HB_OP_INVOKE_COMMAND = 2;
export const HB_OP_CLOSE_SESSION = 3;
export const HB_OP_CANCEL = 4;
export const HB_OP_REGISTER_SHM = 5;
export const HB_OP_UNREGISTER_SHM = 6;
export const HB_OP_PROBE = 7;
export const HB_OP_READ_ADDRESS = 8;
export const HB_OP_POWER_OFF = 9;
export const HB_OP_RESET = 10;

export const HB_REQ_OFF_OP = 0;
export const HB_REQ_OFF_STATUS = 4;
export const HB_REQ_OFF_SESSION = 8;
export const HB_REQ_OFF_FUNC = 12;
export const HB_REQ_OFF_CANCEL_ID = 16;
export const HB_REQ_OFF_LOGIN = 20;
export const HB_REQ_OFF_RET = 24;
export const HB_REQ_OFF_RET_ORIGIN = 28;
export const HB_REQ_OFF_UUID = 32;
export const HB_REQ_OFF_CLIENT_UUID = 48;
export const HB_REQ_OFF_NUM_PARAMS = 64;
export const HB_REQ_OFF_SMC_CALLS = 68;
export const HB_REQ_OFF_PARAMS = 72;
export const HB_REQ_OFF_RPC_ARG_PA = 200;
export const HB_REQ_OFF_DONE = 208;
export const HB_REQ_OFF_RPC_WAIT = 212;

/** What the bridge tells its owner. */
export interface HostBridgeEvents {
  /** The firmware asks the supplicant to serve the RPC named in the slot (its rpc_arg_pa). */
  supplicantCall(slot: number): void;
  /** The firmware waits for requests. */
  ready(): void;
  /** The firmware's TEE probe succeeded (true) or failed. */
  probe(ok: boolean): void;
}

/**
 * Register file of the host bridge, and the host's end of the request queue (hostbridge.h):
 * `post` writes the slot index into the ring in shared memory and advances head; the firmware
 * takes entries without a register access, and sets the slot's `done` word when it is finished.
 */
export class HostBridge {
  private readonly queue: Uint32Array;
  private head = 0;

  /** `queueView` is the queue's page of NS shared memory (the words of struct hb_queue); `queuePa` its address. */
  constructor(
    private readonly mailboxPa: number,
    private readonly slotCount: number,
    private readonly poolPa: number,
    private readonly poolSize: number,
    queueView: Uint8Array,
    private readonly queuePa: number,
    private readonly events: HostBridgeEvents,
  ) {
    if (queueView.byteOffset % 4 !== 0 || queueView.byteLength < HB_QUEUE_OFF_PARKED + 4) {
      throw new RangeError('the request queue needs an aligned page of shared memory');
    }
    this.queue = new Uint32Array(queueView.buffer, queueView.byteOffset, HB_QUEUE_OFF_PARKED / 4 + 1);
    this.head = this.queue[HB_QUEUE_OFF_HEAD / 4]!;
  }

  /** Queues a request slot for the firmware: its index into the ring, then head. */
  post(slot: number): void {
    if (slot < 0 || slot >= this.slotCount) throw new RangeError(`no mailbox slot ${slot}`);
    if (((this.head - this.queue[HB_QUEUE_OFF_TAIL / 4]!) >>> 0) >= HB_QUEUE_ENTRIES) throw new RangeError('the request queue is full');
    this.queue[HB_QUEUE_OFF_RING / 4 + (this.head % HB_QUEUE_ENTRIES)] = slot;
    this.head = (this.head + 1) >>> 0;
    this.queue[HB_QUEUE_OFF_HEAD / 4] = this.head;
  }

  /** Whether requests wait for the firmware. */
  get pending(): boolean {
    return this.queue[HB_QUEUE_OFF_TAIL / 4] !== this.head;
  }

  /**
   * Calls in progress whose secure threads gave the CPU back, as the firmware said when it
   * last waited (0: none; every request it took is complete).
   */
  get parked(): number {
    return this.queue[HB_QUEUE_OFF_PARKED / 4]!;
  }

  read(offset: number): number {
    switch (offset) {
      case HB_REG_MAGIC: return HB_MAGIC;
      case HB_REG_VERSION: return HB_VERSION;
      case HB_REG_MBOX_LO: return this.mailboxPa >>> 0;
      case HB_REG_MBOX_HI: return Math.floor(this.mailboxPa / 2 ** 32);
      case HB_REG_SLOT_COUNT: return this.slotCount;
      case HB_REG_POOL_LO: return this.poolPa >>> 0;
      case HB_REG_POOL_SIZE: return this.poolSize;
      case HB_REG_QUEUE_LO: return this.queuePa >>> 0;
      default: return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    switch (offset) {
      case HB_REG_SUPP_CALL:
        if (value < this.slotCount) this.events.supplicantCall(value);
        break;
      case HB_REG_READY:
        if (value === HB_READY_VALUE) this.events.ready();
        break;
      case HB_REG_PROBE:
        this.events.probe(value === 1);
        break;
      default:
        break;
    }
  }
}

/**
 * The admin operation `snapshot` (docs/protocol.md, "snapshot"): protocol.ts's Operations
 * extends this interface, so the operation is defined once, with its shape in
 * protocol-shapes.ts, like every other. A file of its own because protocol.ts is at its size.
 */

/** Operations about snapshots of the device (device/snapshot.ts). */
export interface SnapshotOperations {
  /**
   * Admin: a snapshot of the whole device at rest as the bytes of a snapshot file (what
   * `trustbox boot --restore FILE` boots from). Refused (bad-state, origin API) while calls are
   * in flight, sessions are open or shared memory is registered on the device, by any client.
   * `dropped`: the UUIDs of keep-alive TA instances the snapshot does not keep, space-separated.
   */
  snapshot: { args: Record<string, never>; result: { snapshot: Uint8Array; dropped?: string } };
}

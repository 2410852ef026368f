// Child process of 6017: boots a device (compiled emulator in dist/) on the state directory in
// argv[2] and rewrites objects crash-0..crash-2 through secure_storage forever, printing
// "ok <gen> <key>" after each acknowledged write. The parent kills it with SIGKILL at a random point.
import { Device } from '../../dist/emulator/device/device.js';
import { SpecClient } from '../../dist/emulator/cli/spec-client.js';

const [stateDir, startArg] = process.argv.slice(2);
const SS = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
const device = new Device({ stateDir, watchdogMs: 5000 });
device.boot();
const c = new SpecClient(device);
/** Object content of generation `gen`: a header and a filler that must all match. */
const content = (gen) => Buffer.concat([Buffer.from(`gen:${gen}:`), Buffer.alloc(1500 + (gen % 7) * 300, gen & 0xff)]);
process.stdout.write('ready\n');
for (let gen = Number(startArg); ; gen++) {
  const key = gen % 3;
  const s = c.openSession(SS).session;
  const r = c.invoke(s, 1, [
    { type: 'memref-in', data: Buffer.from(`crash-${key}`) }, { type: 'memref-in', data: content(gen) },
  ]);
  c.closeSession(s);
  if (r.result !== 0) {
    process.stdout.write(`fail ${gen} ${r.result}\n`);
    process.exit(1);
  }
  process.stdout.write(`ok ${gen} ${key}\n`);
}

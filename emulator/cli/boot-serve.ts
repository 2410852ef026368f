/**
 * `trustbox boot` when it serves (the default; `--exit-on-ready` boots in-process and stops):
 * the device runs in a worker behind the API server, console lines are printed as they come,
 * and Ctrl-C closes the server, powers the device off and removes endpoint.json and admin.json.
 */
import type { DeviceOptions } from '../device/device.js';
import type { DeviceEvent } from '../trace/events.js';
import { serveDevice } from '../api/serve.js';
import { removeOwnFiles } from '../api/auth.js';

type Listener = (e: DeviceEvent) => void;

export interface BootServeOptions {
  listen?: string;
  json?: boolean;
  trace?: boolean;
}

/**
 * Boots and serves. `attach` receives an `on(listener)` to hand to the console printer; events
 * reach it from the worker.
 */
export async function bootAndServe(device: DeviceOptions, opts: BootServeOptions, attach: (on: (l: Listener) => void) => void): Promise<void> {
  const listeners: Listener[] = [];
  attach((l) => listeners.push(l));
  // Signals are handled from the start (a Ctrl-C during boot powers off once booted), and a
  // second Ctrl-C while powering off must not kill the process half-way.
  let stopping = false;
  let stopNow: ((signal: string) => Promise<void>) | undefined;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (stopNow) void stopNow(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const served = await serveDevice({
    device, printConsole: true, ...(opts.listen ? { listen: opts.listen } : {}),
    onEvent: (e) => { for (const l of listeners) l(e); },
    log: (line) => { if (!opts.json) console.log(line); },
  }).catch((error: Error) => {
    if (opts.json) console.log(JSON.stringify({ event: 'error', message: error.message }));
    else console.error(`trustbox: ${error.message}`);
    process.exitCode = 1;
    return undefined;
  });
  if (!served) process.exit(1);
  const report = served.host.report!;
  if (opts.json) {
    console.log(JSON.stringify({
      event: 'ready', bootMs: Math.round(report.bootMs * 100) / 100, board: report.board, osUuid: report.osUuid,
      stateDir: served.host.stateDir, url: served.url, endpoint: served.endpointFile,
    }));
  } else {
    console.log(`ready: ${report.board} booted in ${report.bootMs.toFixed(1)} ms; state in ${served.host.stateDir}`);
    console.log(`api: listening on ${served.url}; token in ${served.endpointFile}, admin credential (TA installs, trace) in ${served.adminFile} (both mode 0600)`);
    console.log(`api: try \`npx trustbox invoke --state ${served.host.stateDir} --uuid 8aaaf200-2450-11e4-abe2-0002a5d5c51b --cmd 0 --param value-inout:41,0\`; press Ctrl-C to power off`);
  }
  stopNow = async (signal: string) => {
    await served.close().catch(() => {});
    removeOwnFiles(served.host.stateDir, served.token, served.admin);
    if (opts.json) console.log(JSON.stringify({ event: 'power', state: 'off', reason: signal }));
    else console.log(`power: off (${signal})`);
    process.exit(0);
  };
  if (stopping) await stopNow('signal during boot');
}

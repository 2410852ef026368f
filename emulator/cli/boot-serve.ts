/**
 * `trustbox boot` when it serves (the default; `--exit-on-ready` boots in-process and stops):
 * the device runs in a worker behind the API server, console lines are printed as they come,
 * and Ctrl-C closes the server, powers the device off and removes endpoint.json and admin.json.
 */
import type { DeviceOptions } from '../device/device.js';
import type { DeviceEvent } from '../trace/events.js';
import { parseListen, serveDevice } from '../api/serve.js';
import { removeOwnFiles } from '../api/auth.js';
import { getBoard, DEFAULT_BOARD } from '../machine/boards.js';
import { UiServer } from '../ui/server.js';
import { MAX_TRACE_HISTORY } from '../api/trace-recorder.js';
import { HISTORY_CALLS } from '../trace/history.js';

type Listener = (e: DeviceEvent) => void;

export interface BootServeOptions {
  listen?: string;
  json?: boolean;
  trace?: boolean;
  /** Serve the live view (docs/live-view.md) on `uiListen` (default 127.0.0.1:0). */
  ui?: boolean;
  uiListen?: string;
  /** Calls whose trace the API server keeps for `trustbox trace` and the live view (default HISTORY_CALLS; 0: none). */
  traceHistory?: string;
}

/** --trace-history N: a whole number of calls, 0 (none) to MAX_TRACE_HISTORY; default HISTORY_CALLS. */
function traceHistoryCalls(text: string | undefined): number {
  const n = text === undefined ? HISTORY_CALLS : Number(text);
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_TRACE_HISTORY)) {
    console.error(`trustbox: --trace-history ${text}: a whole number of calls from 0 (no history) to ${MAX_TRACE_HISTORY}`);
    process.exit(1);
  }
  return n;
}

/** The live view's server, bound before the API server so that its origin can be allowed there. */
async function startUi(device: DeviceOptions, opts: BootServeOptions): Promise<UiServer | undefined> {
  if (!opts.ui && opts.uiListen === undefined) return undefined;
  const { host, port } = parseListen(opts.uiListen ?? '127.0.0.1:0');
  return UiServer.start({ host, port, board: getBoard(device.board ?? DEFAULT_BOARD) });
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
  const ui = await startUi(device, opts).catch((error: Error) => {
    console.error(`trustbox: --ui-listen: ${error.message}`);
    process.exit(1);
  });
  const served = await serveDevice({
    device, printConsole: true, traceHistory: traceHistoryCalls(opts.traceHistory), ...(opts.listen ? { listen: opts.listen } : {}), ...(ui ? { allowedOrigins: [ui.origin] } : {}),
    onEvent: (e) => { for (const l of listeners) l(e); },
    log: (line) => { if (!opts.json) console.log(line); },
  }).catch((error: Error) => {
    if (opts.json) console.log(JSON.stringify({ event: 'error', message: error.message }));
    else console.error(`trustbox: ${error.message}`);
    process.exitCode = 1;
    return undefined;
  });
  if (!served) {
    await ui?.close();
    process.exit(1);
  }
  ui?.setApi({ url: served.url, token: served.token });
  const uiUrl = ui?.url(served.token, served.admin);
  const report = served.host.report!;
  if (opts.json) {
    console.log(JSON.stringify({
      event: 'ready', bootMs: Math.round(report.bootMs * 100) / 100, board: report.board, osUuid: report.osUuid,
      stateDir: served.host.stateDir, url: served.url, endpoint: served.endpointFile, ...(uiUrl ? { ui: uiUrl } : {}),
    }));
  } else {
    console.log(`ready: ${report.board} booted in ${report.bootMs.toFixed(1)} ms; state in ${served.host.stateDir}`);
    console.log(`api: listening on ${served.url}; token in ${served.endpointFile}, admin credential (TA installs, trace) in ${served.adminFile} (both mode 0600)`);
    console.log(`api: try \`npx trustbox invoke --state ${served.host.stateDir} --uuid 8aaaf200-2450-11e4-abe2-0002a5d5c51b --cmd 0 --param value-inout:41,0\`; press Ctrl-C to power off`);
    // The credentials ride in the fragment, which the browser never sends to a server.
    if (uiUrl) console.log(`ui: live view on ${ui!.origin}; open ${uiUrl} (token and admin credential: keep it to yourself)`);
  }
  stopNow = async (signal: string) => {
    await ui?.close().catch(() => {});
    await served.close().catch(() => {});
    removeOwnFiles(served.host.stateDir, served.token, served.admin);
    if (opts.json) console.log(JSON.stringify({ event: 'power', state: 'off', reason: signal }));
    else console.log(`power: off (${signal})`);
    process.exit(0);
  };
  if (stopping) await stopNow('signal during boot');
}

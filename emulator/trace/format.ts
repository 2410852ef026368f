/**
 * Events for people: one readable line per event. The same events are available as JSON.
 */
import { hex32, resultName } from '../abi/results.js';
import type { DeviceEvent } from './events.js';

const ORIGINS = ['', 'API', 'COMMS', 'TEE', 'TRUSTED_APP'];

export function originName(origin: number): string {
  return ORIGINS[origin] ?? String(origin);
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);

/** One line describing an event (without the console prefix). */
export function formatEvent(e: DeviceEvent): string {
  switch (e.type) {
    case 'console': return e.line;
    case 'boot': return `boot: ${e.stage}: ${e.detail}`;
    case 'ready': return `ready: ${e.board} booted in ${e.bootMs.toFixed(1)} ms`;
    case 'power': return `power: ${e.state} (${e.reason})`;
    case 'smc':
      return `smc -> ${e.name} (${hex32(e.fid)}, ${e.fast ? 'fast' : 'yielding'}, ${e.owner}) ` +
        `a1..a3 = ${e.args.slice(0, 3).map(hex).join(', ')}`;
    case 'smc-return':
      return `smc <- ${e.name}: ${e.outcome} (a0..a${e.result.length - 1} = ${e.result.map(hex).join(', ')})`;
    case 'world-switch': return `world switch: ${e.from} -> ${e.to} (${e.reason})`;
    case 'fault': return `fault: ${e.explanation}`;
    case 'ta-load': return `ta-load: ${e.uuid} (${e.size} bytes, signer ${e.signer}, from ${e.source})` +
      (e.flags.length ? ` flags ${e.flags.join('|')}` : '');
    case 'session': return `session ${e.action}: ${e.uuid} #${e.session}` +
      (e.result !== undefined ? ` -> ${resultName(e.result)} (origin ${originName(e.origin ?? 0)})` : '');
    case 'invoke': return `invoke: ${e.uuid} #${e.session} cmd ${e.cmd} -> ${resultName(e.result)} ` +
      `(origin ${originName(e.origin)}) in ${e.us} us`;
    case 'syscall': return `syscall ${e.name}(${e.args.join(', ')}) -> ${e.resultName}`;
    case 'panic': return `panic: TA ${e.uuid} ${e.reason} (pc 0x${e.pc.toString(16)}, TA offset 0x${e.taPc.toString(16)})`;
    case 'rpc': return `rpc: ${e.name}: ${e.detail}`;
    case 'request': return `request (slot ${e.slot}): ${e.op} ${e.detail}`;
    case 'request-done': return `request done (slot ${e.slot}): ${e.status ? `${resultName(e.status)} before the TEE` : `${resultName(e.ret)}, origin ${originName(e.origin)}`}; ${e.smcCalls} SMCs`;
    case 'api': return `api: ${e.op} from ${e.client} (${e.remote}) answered after ${e.ms.toFixed(3)} ms`;
    case 'lost': return `lost: ${e.count} events dropped (${e.where} fell behind)`;
  }
}

/** A console prefix that tells the two worlds (and traces) apart. */
export function prefixFor(e: DeviceEvent, color: boolean): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  if (e.type === 'console') return e.world === 'secure' ? paint('35', 'secure | ') : paint('36', 'normal | ');
  return paint('2', 'trace  | ');
}

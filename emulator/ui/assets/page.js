/**
 * The live view (served by emulator/ui/server.ts). Reads the token and the admin credential from
 * the URL's fragment (never sent to a server), fetches the board table, connects to the API
 * server through the compiled client library, subscribes to both consoles (and, with the admin
 * credential, the trace) and draws: the board, an animation per SMC / world switch / RPC, the
 * consoles, the latest calls as trees (emulator/trace/tree.ts, compiled), and a call form.
 *
 * Plain JavaScript on purpose: the browser loads this file as it is (the repository's tsconfig
 * has no DOM types); board.js draws, this file wires.
 */
import {
  TEEC_PARAM_TYPES, TeecContext, TeecError, TeecOperation,
} from 'trustbox-emulator/client';
import { callTrees, renderTree } from 'trustbox-emulator/trace/tree';
import { resultName } from 'trustbox-emulator/abi/results';
import { BoardView } from './board.js';
import { ParamRows, describeParams } from './params.js';

const $ = (id) => document.getElementById(id);
const MAX_EVENTS = 4000;
const MAX_LINES = 500;
const TREES_SHOWN = 3;
const ORIGINS = ['', 'API', 'COMMS', 'TEE', 'TRUSTED_APP'];

function setStatus(text, state) {
  $('status').textContent = text;
  $('status').className = state === 'error' ? 'error' : '';
  document.body.dataset.state = state;
}

function fragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { token: p.get('token') ?? '', admin: p.get('admin') ?? '' };
}

function appendLine(pre, line) {
  pre.append(`${line}\n`);
  while (pre.childNodes.length > MAX_LINES) pre.firstChild.remove();
  pre.scrollTop = pre.scrollHeight;
}

const hex32 = (v) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
const describeResult = (r) => `result ${hex32(r.result)} ${resultName(r.result)}, origin ${r.origin} ${ORIGINS[r.origin] ?? ''}`;

function describeError(e) {
  if (e instanceof TeecError) return `${e.code}: ${e.message} (${describeResult(e)})`;
  return String(e && e.message ? e.message : e);
}

/**
 * Trace events kept for the trees, and the trees drawn after each call ends (and again when the
 * API server's hop for it comes). `past`: the latest calls from the device's trace history,
 * read once on load, so that calls made before the page opened show too.
 */
class Trees {
  events = [];
  past = [];
  add(e) {
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (e.type === 'request-done' || e.type === 'api') this.draw();
  }
  /** The history's calls (traceHistory), each a tree with its number. */
  addPast(calls) {
    this.past = calls.map((c) => Object.assign(callTrees(c.events)[0] ?? {}, { call: c.call })).filter((t) => t.ms !== undefined);
    this.draw();
  }
  draw() {
    const live = callTrees(this.events).filter((t) => t.ms !== undefined);
    const seen = new Set(live.map((t) => t.t));
    const trees = [...this.past.filter((t) => !seen.has(t.t)), ...live].slice(-TREES_SHOWN).reverse();
    $('trees').replaceChildren(...trees.map((t) => {
      const pre = document.createElement('pre');
      pre.className = 'tree';
      pre.textContent = renderTree(t).join('\n');
      return pre;
    }));
  }
}

/** The call form: open a session on the chosen TA, invoke commands on it, close it. */
class CallForm {
  session = undefined;
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = new ParamRows($('params'));
    $('open').addEventListener('click', () => this.run(() => this.open()));
    $('invoke').addEventListener('click', () => this.run(() => this.invoke()));
    $('close').addEventListener('click', () => this.run(() => this.close()));
  }
  async fillTAs() {
    const tas = await this.ctx.connection.listTAs();
    $('ta').replaceChildren(...tas.map((ta) => new Option(`${ta.uuid} (${ta.source})`, ta.uuid)));
  }
  async run(step) {
    for (const b of ['open', 'invoke', 'close']) $(b).disabled = true;
    try {
      $('result').textContent = await step();
      $('result').dataset.outcome = 'ok';
    } catch (e) {
      $('result').textContent = describeError(e);
      $('result').dataset.outcome = 'error';
    }
    $('open').disabled = this.session !== undefined;
    $('invoke').disabled = $('close').disabled = this.session === undefined;
  }
  async open() {
    const uuid = $('ta').value;
    this.session = await this.ctx.openSession(uuid);
    return `session open on ${uuid}`;
  }
  async invoke() {
    const cmd = Number($('cmd').value) >>> 0;
    const { types, params } = this.rows.operation();
    const op = new TeecOperation(TEEC_PARAM_TYPES(...types), params);
    const r = await this.session.invokeCommand(cmd, op);
    return [`invoke command ${cmd}: ${describeResult(r)}`, ...describeParams(types, op.params)].join('\n');
  }
  async close() {
    const s = this.session;
    this.session = undefined;
    await s.close();
    return 'session closed';
  }
}

async function main() {
  const { token, admin } = fragment();
  if (!token) {
    setStatus('no token in the URL: open the URL `trustbox boot --ui` printed (it ends in #token=...)', 'error');
    return;
  }
  const res = await fetch('/config.json', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) {
    setStatus(`the live view refused: ${(await res.text()).trim()}`, 'error');
    return;
  }
  const config = await res.json();
  $('board-name').textContent = `${config.board.name}: ${config.board.description}`;
  const board = new BoardView($('board'), config.board);
  const ctx = await TeecContext.initialize({ url: config.api, token, ...(admin ? { admin } : {}), client: 'live-view' });
  ctx.connection.onClose((e) => setStatus(`disconnected: ${e.message}`, 'error'));
  const trees = new Trees();
  let events = 0;
  await ctx.connection.subscribe({ console: true, trace: Boolean(admin) }, (stream, e) => {
    events++;
    document.body.dataset.events = String(events);
    if (e.type === 'console') appendLine($(`console-${e.world}`), e.line);
    trees.add(e); // console lines too: a call's tree shows what it printed
    board.onEvent(e);
  });
  if (admin) {
    // The latest calls, made before the page opened (a device without a trace history says not-found).
    await ctx.connection.request('traceHistory', { last: TREES_SHOWN }).then(
      (h) => trees.addPast(h.calls),
      (e) => { if (!(e instanceof TeecError && e.code === 'not-found')) throw e; },
    );
  }
  const form = new CallForm(ctx);
  await form.fillTAs();
  setStatus(admin ? 'live: consoles and trace' : 'live: consoles only (the trace needs the admin credential in the URL: #token=...&admin=...)', 'live');
}

main().catch((e) => setStatus(`cannot reach the device: ${describeError(e)}`, 'error'));

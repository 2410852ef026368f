/**
 * 51xx the live view (`trustbox boot --ui`, emulator/ui) in Debian's headless Chromium: the UI
 * server and a served device, set up as boot-serve.ts does (the UI's origin is the one the API
 * server allows), the page opened at the URL boot prints and driven over the DevTools protocol.
 * The screenshot lands in $TRUSTBOX_TEST_RESULTS or <os tmpdir>/trustbox-test-results/live-view.png.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_BOARD, getBoard } from '../../emulator/machine/boards.js';
import { UiServer } from '../../emulator/ui/server.js';
import { startServer, type TestServer } from '../api/helpers.js';
import { BrowserPage } from './cdp.js';
import { requireChromium } from './chromium.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = ['dist/emulator/client/index.js', 'dist/emulator/trace/tree.js', 'dist/emulator/abi/results.js'];
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const RESULTS = process.env.TRUSTBOX_TEST_RESULTS ?? join(tmpdir(), 'trustbox-test-results');
const SCREENSHOT = join(RESULTS, 'live-view.png');

let ui: UiServer;
let server: TestServer;
let page: BrowserPage;

const text = (id: string) => `document.getElementById(${JSON.stringify(id)}).textContent`;

beforeAll(async () => {
  requireChromium();
  for (const f of BUILT) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`bash scripts/setup.sh\` (npm test runs it first) to build dist/`);
  }
  ui = await UiServer.start({ board: getBoard(DEFAULT_BOARD) });
  server = await startServer(undefined, { allowedOrigins: [ui.origin], traceHistory: 64 });
  ui.setApi({ url: server.url, token: server.token });
  page = await BrowserPage.open(ui.url(server.token, server.admin));
  await page.waitFor("document.body.dataset.state === 'live'", 'the page to connect and subscribe');
});

afterAll(async () => {
  await page?.close();
  await ui?.close();
  await server?.stop();
});

it('5101 the page draws the board: both worlds, the monitor, every region in its world', async () => {
  const drawn = await page.evaluate<{ texts: string; regions: [string, string][] }>(`({
    texts: document.getElementById('board').textContent,
    regions: [...document.querySelectorAll('#board .region')].map((g) => [g.dataset.region, g.dataset.world]),
  })`);
  expect(drawn.texts).toContain('Normal world');
  expect(drawn.texts).toContain('Secure world');
  expect(drawn.texts).toContain('Monitor (EL3)');
  const board = getBoard(DEFAULT_BOARD);
  expect(drawn.regions.sort()).toEqual(board.regions.map((r) => [r.id, r.world]).sort());
  for (const r of board.regions) expect(drawn.texts).toContain(r.name);
  expect(await page.evaluate<string>(text('status'))).toMatch(/consoles and trace/);
});

it('5102 a call made by another client shows on the page: its tree, the world switches, the TA and its session', async () => {
  const ctx = await server.context('other-module');
  const session = await ctx.openSession(HELLO_WORLD);
  await page.waitFor(`document.querySelector('#board .ta[data-uuid="${HELLO_WORLD}"]')?.textContent.includes('#')`, 'the TA with its open session');
  const { TeecOperation, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } = await import('../../emulator/client/index.js');
  await session.invokeCommand(0, new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 0 } }]));
  await session.close();
  const tree = await page.waitFor<string>(`[...document.querySelectorAll('#trees pre')].map((p) => p.textContent).find((t) => t.startsWith('invoke')) ?? ''`,
    "the invoke's call tree");
  expect(tree).toMatch(/world switch normal -> secure/);
  expect(tree).toMatch(/OPTEE_SMC_CALL_WITH_ARG/);
  expect(Number(await page.evaluate('document.body.dataset.switch'))).toBeGreaterThan(0);
  expect(Number(await page.evaluate('document.body.dataset.smc'))).toBeGreaterThan(0);
  expect(await page.evaluate<string>(text('activity'))).toMatch(/world switch/);
  await page.waitFor(`document.querySelector('#board .ta[data-uuid="${HELLO_WORLD}"]')?.textContent.includes('sessions open: none')`, 'the session closed');
  expect(await page.evaluate<string>(text('console-secure'))).toMatch(/\S/);
});

it('5103 a call made from the page: hello_world command 0 with value 41 shows 42', async () => {
  await page.waitFor(`[...document.getElementById('ta').options].some((o) => o.value === '${HELLO_WORLD}')`, 'the TA list');
  await page.evaluate(`document.getElementById('ta').value = '${HELLO_WORLD}'; document.getElementById('open').click()`);
  await page.waitFor(`${text('result')}.includes('session open')`, 'the session to open');
  await page.evaluate(`document.getElementById('p0-a').value = '41'; document.getElementById('invoke').click()`);
  const result = await page.waitFor<string>(`${text('result')}.includes('invoke command 0') && ${text('result')}`, 'the invoke result');
  expect(result).toMatch(/TEE_SUCCESS/);
  expect(result).toMatch(/param 0: value a=42 b=0/);
  const tree = await page.waitFor<string>(`[...document.querySelectorAll('#trees pre')].map((p) => p.textContent).find((t) => t.startsWith('invoke')) ?? ''`, 'its tree');
  expect(tree).toMatch(/Got value: 41/);
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot(SCREENSHOT);
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  await page.evaluate("document.getElementById('close').click()");
  await page.waitFor(`${text('result')}.includes('session closed')`, 'the session to close');
});

/** GET on the UI server with headers of our choosing (Host included). */
function get(path: string, headers: Record<string, string> = {}): Promise<number> {
  const { port } = new URL(ui.origin);
  return new Promise((ok, fail) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => { res.resume(); ok(res.statusCode ?? 0); }).on('error', fail).end();
  });
}

it('5104 without the token the page gets nothing: an error shown, no events; the servers refuse strangers', async () => {
  await page.navigate(`${ui.origin}/?no-token`);
  await page.waitFor("document.body.dataset.state === 'error'", 'the error');
  expect(await page.evaluate<string>(text('status'))).toMatch(/no token/);
  expect(await page.evaluate('document.body.dataset.events ?? null')).toBeNull();
  expect(await page.evaluate<string>(text('board'))).toBe('');
  await page.navigate(`${ui.origin}/?wrong#token=not-the-token`);
  await page.waitFor("document.body.dataset.state === 'error'", 'the refusal');
  expect(await page.evaluate<string>(text('status'))).toMatch(/refused/);
  expect(await get('/config.json')).toBe(401);
  expect(await get('/config.json', { authorization: 'Bearer not-the-token' })).toBe(401);
  expect(await get('/config.json', { authorization: `Bearer ${server.token}` })).toBe(200);
  expect(await get('/', { host: `rebound.example:${new URL(ui.origin).port}` })).toBe(403);
  expect(await get('/', { origin: 'http://evil.example' })).toBe(403);
  expect(await get('/../keys/')).toBe(404);
  // The API server lets in the UI's origin and no other.
  const status = (origin: string) => new Promise<number>((ok) => {
    const ws = new WebSocket(server.url, { origin });
    ws.once('open', () => { ws.close(); ok(101); });
    ws.once('unexpected-response', (_req, res) => ok(res.statusCode ?? 0));
    ws.once('error', () => ok(-1));
  });
  expect(await status(ui.origin)).toBe(101);
  expect(await status('http://127.0.0.1:1')).toBe(403);
});

it('5105 a page opened later shows the latest calls from the device\'s trace history, each numbered, with the API server\'s hop', async () => {
  const ctx = await server.context('earlier-module');
  const session = await ctx.openSession(HELLO_WORLD);
  const { TeecOperation, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } = await import('../../emulator/client/index.js');
  await session.invokeCommand(0, new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 7, b: 0 } }]));
  const later = await BrowserPage.open(ui.url(server.token, server.admin));
  try {
    await later.waitFor("document.body.dataset.state === 'live'", 'the later page to connect');
    const trees = await later.waitFor<string[]>(`(() => { const t = [...document.querySelectorAll('#trees pre')].map((p) => p.textContent);
      return t.length === 3 && t; })()`, 'three trees from the history');
    expect(trees[0]).toMatch(/^call \d+: invoke session \d+ command 0, 1 params -> TEE_SUCCESS/);
    expect(trees[0]).toMatch(/API server: invokeCommand from earlier-module/);
    expect(trees[0]).toMatch(/Got value: 7/);
    expect(trees[1]).toMatch(/^call \d+: open session to TA 8aaaf200/);
  } finally {
    await later.close();
    await session.close();
  }
});

it('5106 the call form takes a temporary memref\'s bytes as hex:… and anything else as text', async () => {
  const bytes = (input: string) => page.evaluate<string>(`import('/assets/params.js').then((m) => [...m.bytesOf(${JSON.stringify(input)})].join(','))`);
  expect(await bytes('hex:00ff10')).toBe('0,255,16');
  expect(await bytes('hex:')).toBe('');
  expect(await bytes('hi')).toBe('104,105');
  expect(await bytes('hex:0g')).toBe([...new TextEncoder().encode('hex:0g')].join(','));
});

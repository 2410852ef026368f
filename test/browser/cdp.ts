/**
 * Drives one page in Debian's headless Chromium over the DevTools protocol (a WebSocket, with
 * the `ws` package): open a URL, evaluate expressions in the page, wait for a condition, take a
 * screenshot. For pages that run on their own (the live view) rather than a module that reports
 * once (chromium.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CHROMIUM, requireChromium } from './chromium.js';

const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
  '--remote-debugging-port=0', '--window-size=1400,1000'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BrowserPage {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  /** Console messages and exceptions of the page, for failure messages. */
  readonly log: string[] = [];

  private constructor(private readonly child: ChildProcess, private readonly profile: string, private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: any; error?: { message: string }; method?: string; params?: any };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method === 'Runtime.consoleAPICalled') {
        this.log.push(`console.${msg.params.type}: ${msg.params.args.map((a: any) => a.value ?? a.description).join(' ')}`);
      } else if (msg.method === 'Runtime.exceptionThrown') {
        this.log.push(`exception: ${msg.params.exceptionDetails.exception?.description ?? msg.params.exceptionDetails.text}`);
      }
    });
  }

  /** Starts Chromium on `url` and attaches to its page. */
  static async open(url: string, timeoutMs = 15_000): Promise<BrowserPage> {
    requireChromium();
    const profile = mkdtempSync(join(tmpdir(), 'trustbox-cdp-'));
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, url], { detached: true, stdio: 'ignore' });
    const portFile = join(profile, 'DevToolsActivePort');
    const end = Date.now() + timeoutMs;
    try {
      while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`${CHROMIUM} did not open its DevTools port`);
        await sleep(50);
      }
      const port = Number(readFileSync(portFile, 'utf8').split('\n')[0]);
      let target: { webSocketDebuggerUrl: string } | undefined;
      while (!target) {
        const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
        target = list.find((t) => t.type === 'page');
        if (!target) await sleep(50);
        if (Date.now() > end) throw new Error('no page target in Chromium');
      }
      const ws = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false });
      await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
      const page = new BrowserPage(child, profile, ws);
      await page.send('Runtime.enable');
      await page.send('Page.enable');
      return page;
    } catch (error) {
      BrowserPage.kill(child);
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The value of a JavaScript expression in the page (promises awaited). */
  async evaluate<T = any>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Polls `expression` until it is truthy; returns its value or throws with `what` and the page's log. */
  async waitFor<T = any>(expression: string, what: string, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.evaluate<T>(expression).catch(() => undefined);
      if (v) return v;
      if (Date.now() > end) {
        const status = await this.evaluate<string>("document.getElementById('status')?.textContent ?? ''").catch(() => '?');
        throw new Error(`timed out waiting for ${what}; page status: ${status}\npage log:\n${this.log.join('\n')}`);
      }
      await sleep(100);
    }
  }

  async navigate(url: string): Promise<void> {
    await this.send('Page.navigate', { url });
  }

  /** Saves a PNG of the page as it is laid out now. */
  async screenshot(file: string): Promise<void> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
    writeFileSync(file, Buffer.from(data as string, 'base64'));
  }

  async close(): Promise<void> {
    this.ws.close();
    BrowserPage.kill(this.child);
    if (this.child.exitCode === null && this.child.signalCode === null) await new Promise((r) => this.child.once('close', r));
    rmSync(this.profile, { recursive: true, force: true });
  }

  /** Kills the browser's process group (started detached, as its own group). */
  private static kill(child: ChildProcess): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

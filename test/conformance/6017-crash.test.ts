/**
 * 6017 crash atomicity: a child process rewrites three objects in a loop and is killed with
 * SIGKILL at a random point, repeatedly, on one state directory. After every kill each object
 * must read back as a complete generation no older than the last write the child saw
 * acknowledged (old or new), never corrupt.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecureStorage, TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS, bootOn } from './6xxx-storage-client.js';

const CHILD = join(import.meta.dirname, '6xxx-crash-child.mjs');
const ROUNDS = 12;

/** Runs the child until it has acknowledged `acks` writes plus a random delay, then SIGKILLs it. */
function runAndKill(stateDir: string, start: number, acks: number, extraMs: number): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, stateDir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const last = new Map<number, number>();
    let seen = 0;
    let buf = '';
    let armed = false;
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ok (\d+) (\d+)$/.exec(line);
        if (m) {
          last.set(Number(m[2]), Number(m[1]));
          seen++;
        } else if (line.startsWith('fail')) reject(new Error(`child: ${line}`));
        if (seen >= acks && !armed) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), extraMs);
        }
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended without being killed: ${err}`));
      else resolve(last);
    });
  });
}

describe('6017 crash atomicity', () => {
  it(`6017.1 ${ROUNDS} SIGKILLs at random points: every object is old or new, never corrupt`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-6017-'));
    const committed = new Map<number, number>();
    try {
      let start = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const acks = 2 + Math.floor(Math.random() * 10);
        const last = await runAndKill(dir, start, acks, Math.floor(Math.random() * 25));
        for (const [k, g] of last) committed.set(k, g);
        const t = bootOn(dir);
        try {
          const ss = new SecureStorage(t);
          for (let key = 0; key < 3; key++) {
            const r = ss.read(`crash-${key}`, 8192);
            if (!committed.has(key)) {
              expect([TEE_SUCCESS, TEE_ERROR_ITEM_NOT_FOUND]).toContain(r.result);
              if (r.result !== TEE_SUCCESS) continue;
            } else {
              expect(r.result, `round ${round} key ${key}`).toBe(TEE_SUCCESS);
            }
            const m = /^gen:(\d+):/.exec(r.data.subarray(0, 24).toString('latin1'));
            expect(m, `round ${round} key ${key}: header`).not.toBeNull();
            const gen = Number(m![1]);
            const filler = r.data.subarray(m![0].length);
            expect(filler.length).toBe(1500 + (gen % 7) * 300);
            expect(filler.every((b) => b === (gen & 0xff))).toBe(true);
            expect(gen % 3).toBe(key);
            expect(gen).toBeGreaterThanOrEqual(committed.get(key) ?? 0);
          }
        } finally {
          t.close();
        }
        start = Math.max(start, ...committed.values()) + 100;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

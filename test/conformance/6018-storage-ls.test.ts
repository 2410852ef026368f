/** 6018 `trustbox storage ls`: the normal world's view lists blobs per owning TA, as ciphertext. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listStorage } from '../../emulator/cli/storage-command.js';
import { SECURE_STORAGE_TA, SecureStorage, bootOn } from './6xxx-storage-client.js';

describe('6018 storage ls', () => {
  it('6018.1 lists the index and one blob per object under the owning TA, with high entropy and no plaintext', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-6018-'));
    try {
      const t = bootOn(dir);
      const ss = new SecureStorage(t);
      ss.write('first', Buffer.alloc(4096, 0x41));
      ss.write('second', Buffer.alloc(4096, 0x42));
      t.close();
      const files = listStorage(dir);
      expect(files.every((f) => f.owner === SECURE_STORAGE_TA)).toBe(true);
      expect(files.filter((f) => f.kind === 'index').length).toBe(1);
      const blobs = files.filter((f) => f.kind === 'object blob');
      expect(blobs.length).toBe(2);
      for (const b of blobs) {
        expect(b.entropy).toBeGreaterThan(7.5);
        expect(b.preview).not.toMatch(/^(41)+$|^(42)+$/);
        expect(b.header).toBe('TBSO v1');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('6018.2 a state directory without storage lists nothing', () => {
    expect(listStorage(join(tmpdir(), 'no-such-trustbox-state'))).toEqual([]);
  });
});

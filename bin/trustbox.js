#!/usr/bin/env node
// The `trustbox` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/emulator/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('trustbox: the emulator is not built yet; run `npm run build` (or `npm start`, which builds it).');
  process.exit(2);
}
await import(main.href);

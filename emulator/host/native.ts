/**
 * The project's own host libraries (native/, built by `npm run build` into native/build/): where
 * one is, from the sources or from dist/, whichever the running module sits in.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** native/build/`name` of this project, or undefined when it was not built. */
export function findNativeLibrary(name: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'native', 'build', name);
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  return undefined;
}

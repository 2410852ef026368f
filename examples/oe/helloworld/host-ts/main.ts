/**
 * The helloworld host in TypeScript: the same calls as host/host.c, through the module that
 * `trustbox oe edger8r --untrusted-ts` generates from helloworld.edl (helloworld_u.ts) and the
 * runtime `trustbox-emulator/oe`. The enclave's printf arrives on this process's stdout.
 *
 *   TRUSTBOX_STATE=DIR node out/host-ts/main.js ENCLAVE.ta [VISITOR]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TeecContext } from 'trustbox-emulator/client';
import { oeResultStr } from 'trustbox-emulator/oe';
import { createHelloworldEnclave } from './helloworld_u.js';

/** The device of TRUSTBOX_STATE: its endpoint, and the admin credential (installing a .ta needs it). */
function deviceOf(state: string | undefined): { url: string; token: string; admin?: string } {
  if (!state) throw new Error('set TRUSTBOX_STATE to the state directory of a running `trustbox boot --state DIR`');
  const endpoint = JSON.parse(readFileSync(join(state, 'endpoint.json'), 'utf8')) as { url: string; token: string };
  const adminFile = join(state, 'admin.json');
  const admin = existsSync(adminFile) ? (JSON.parse(readFileSync(adminFile, 'utf8')) as { admin: string }).admin : undefined;
  return { url: endpoint.url, token: endpoint.token, ...(admin ? { admin } : {}) };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length < 1 || argv.length > 2) {
    console.error('usage: main.js ENCLAVE.ta [VISITOR]');
    return 2;
  }
  const ctx = await TeecContext.initialize({ ...deviceOf(process.env.TRUSTBOX_STATE), client: 'helloworld-ts' });
  try {
    const enclave = await createHelloworldEnclave(ctx, argv[0], {
      host_answer(note) {
        console.log(`host: the enclave called back: "${note}"`);
        return (note ?? '').length;
      },
    });
    console.log('host: enclave created');
    const { result, retval } = await enclave.enclave_greet(argv[1] ?? 'world');
    const ok = result === 0 && retval >= 0;
    if (result !== 0) console.error(`host: enclave_greet failed: ${oeResultStr(result)}`);
    else if (retval < 0) console.error('host: the enclave could not call back');
    else console.log(`host: enclave_greet returned ${retval}`);
    const done = await enclave.terminate();
    console.log(ok && done === 0 ? 'host: done' : 'host: failed');
    return ok && done === 0 ? 0 : 1;
  } finally {
    await ctx.finalize();
    ctx.connection.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
  console.error(`host: ${error.message}`);
  process.exitCode = 1;
});

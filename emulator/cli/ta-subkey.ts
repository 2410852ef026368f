/**
 * `trustbox ta sign-subkey` and `trustbox ta subkey-uuid`: OP-TEE's subkey chains
 * (sign_encrypt.py's sign-subkey and subkey-uuid, with its option names), so that a team can
 * hand a subkey to whoever signs a family of TAs without handing over the root key. A TA is
 * then signed with `trustbox ta sign --subkey CHAIN --name NAME --key SUBKEY.pem`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { isUuid } from '../abi/uuid.js';
import { createPublicKey, type KeyObject } from '../host/crypto.js';
import { developmentSigningKey, loadPrivateKey } from '../tee/loader/signing-keys.js';
import { namespaceUuid, readChainLinks, signSubkey, subkeyName } from '../tee/loader/subkey.js';
import { readInput, run } from './ta-files.js';

interface SignSubkeyOptions {
  in: string;
  out: string;
  key?: string;
  uuid?: string;
  subkey?: string;
  name?: string;
  maxDepth?: string;
  nameSize: string;
  subkeyVersion: string;
  algo: string;
}

export function registerSubkeyCommands(ta: Command): void {
  ta.command('sign-subkey')
    .description('sign a subkey (its public key) with a trusted key or the last subkey of a chain, as sign_encrypt.py sign-subkey')
    .requiredOption('--in <pem>', 'the new subkey: a PEM RSA public (or private) key')
    .requiredOption('--out <file>', 'the chain file to write')
    .option('--key <pem>', 'RSA private key that signs it: a trusted key, or the last subkey of --subkey (default: the project development key)')
    .option('--uuid <uuid>', 'the subkey\'s UUID (default with --subkey: the one its --name gives)')
    .option('--subkey <file>', 'the chain this subkey extends (its last subkey signs: give its key as --key)')
    .option('--name <name>', 'with --subkey: the name that puts this subkey in the last one\'s namespace')
    .option('--max-depth <n>', 'how many subkey levels may follow (default: one less than the previous subkey\'s, else 0)')
    .option('--name-size <n>', 'bytes reserved for the name of what this subkey signs (0: an identity subkey, whose TA has its UUID)', '64')
    .option('--subkey-version <n>', 'rollback version of the subkey', '0')
    .option('--algo <algo>', 'pss or pkcs1', 'pss')
    .action((opts: SignSubkeyOptions, cmd: Command) => run(cmd, () => signSubkeyCommand(opts)));
  ta.command('subkey-uuid')
    .description('the UUID a TA (or subkey) signed by the last subkey of a chain must have, as sign_encrypt.py subkey-uuid')
    .requiredOption('--subkey <file>', 'the chain')
    .option('--name <name>', 'the name (none for an identity subkey)')
    .action((opts: { subkey: string; name?: string }, cmd: Command) => run(cmd, () => {
      process.stdout.write(`${nextUuid(opts.subkey, opts.name)}\n`);
    }));
}

/** The last subkey of a chain file and the UUID `name` gives in its namespace. */
export function nextUuid(chainFile: string, name: string | undefined): string {
  const links = readChainLinks(readInput(chainFile), chainFile);
  const last = links.at(-1)!;
  if (last.nameSize === 0 && name) throw new Error(`${chainFile}: its last subkey is an identity subkey (name size 0): give no --name`);
  if (last.nameSize > 0 && !name) throw new Error(`${chainFile}: its last subkey signs in a namespace: give --name`);
  return namespaceUuid(last.uuid, name ? subkeyName(name, last.nameSize) : new Uint8Array(0));
}

/** The bytes a TA container is prefixed with when the chain's last subkey signs it: chain || name. */
export function chainPrefix(chainFile: string, name: string | undefined): { prefix: Uint8Array; uuid: string } {
  const bytes = readInput(chainFile);
  const last = readChainLinks(bytes, chainFile).at(-1)!;
  const uuid = nextUuid(chainFile, name);
  return { prefix: Buffer.concat([bytes, name ? subkeyName(name, last.nameSize) : new Uint8Array(0)]), uuid };
}

function count(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 0xffffffff) throw new Error(`${what} must be a 32-bit unsigned integer, not "${text}"`);
  return n;
}

function signSubkeyCommand(o: SignSubkeyOptions): void {
  if (o.algo !== 'pss' && o.algo !== 'pkcs1') throw new Error(`--algo must be pss or pkcs1, not "${o.algo}"`);
  let subkey: KeyObject;
  try {
    subkey = createPublicKey(readFileSync(o.in));
  } catch {
    throw new Error(`${o.in} does not hold a PEM RSA key`);
  }
  if (subkey.asymmetricKeyType !== 'rsa') throw new Error(`${o.in}: a subkey must be an RSA key`);
  if (o.name && !o.subkey) throw new Error('--name places a subkey in the namespace of --subkey: give --subkey too');
  let uuid = o.uuid?.toLowerCase();
  let chain: Uint8Array | undefined;
  let maxDepth = o.maxDepth === undefined ? undefined : count(o.maxDepth, '--max-depth');
  if (o.subkey) {
    const { prefix, uuid: inNamespace } = chainPrefix(o.subkey, o.name);
    if (uuid && uuid !== inNamespace) throw new Error(`--uuid ${uuid} is not the UUID ${inNamespace} that the chain's namespace gives this subkey`);
    uuid = inNamespace;
    chain = prefix;
    const previous = readChainLinks(readInput(o.subkey), o.subkey).at(-1)!.maxDepth;
    if (previous === 0) throw new Error(`${o.subkey}: its last subkey has max depth 0: no subkey may follow it`);
    maxDepth ??= previous - 1;
    if (maxDepth >= previous) throw new Error(`--max-depth ${maxDepth} must be below the previous subkey's ${previous}`);
  }
  if (!uuid || !isUuid(uuid)) throw new Error('give the subkey\'s --uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
  const signWith = o.key ? loadPrivateKey(o.key) : developmentSigningKey();
  const bytes = signSubkey({
    subkey, uuid, signWith, ...(chain ? { chain } : {}), maxDepth: maxDepth ?? 0, nameSize: count(o.nameSize, '--name-size'),
    version: count(o.subkeyVersion, '--subkey-version'), algo: o.algo,
  });
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, bytes);
  process.stdout.write(`signed subkey ${uuid} (max depth ${maxDepth ?? 0}, name size ${o.nameSize}, version ${o.subkeyVersion}) -> ${o.out}\n`);
}

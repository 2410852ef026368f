/**
 * Image transfers through Debian's skopeo (1.9.3, reference confidential.md §10.2): push an OCI
 * image layout to a registry, pull an image into one. We never speak the registry protocol
 * ourselves.
 *
 * Transport security: a registry on a loopback address (127.0.0.0/8, ::1, localhost) speaks
 * plain HTTP and is accepted as such, as Docker treats 127.0.0.0/8. Any other registry must
 * speak TLS with a certificate the system trusts, unless the user names it as insecure
 * (`--insecure-registry HOST[:PORT]`), which turns off both TLS and certificate checks for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SKOPEO = 'skopeo';
/** How long one transfer may take. */
const TRANSFER_TIMEOUT_MS = 300_000;

/** A parsed `registry/repository[:tag|@digest]` reference. */
export interface ImageRef {
  /** `host[:port]`. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** `[a-z0-9]+(sep[a-z0-9]+)*(/...)*` of the distribution spec; tags as there. */
const REPO_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * Parses an image reference that names its registry (`127.0.0.1:5000/sensor:1.0`). A reference
 * without a registry host is refused: there is no default registry here.
 */
export function parseImageRef(text: string): ImageRef {
  const slash = text.indexOf('/');
  const first = slash < 0 ? '' : text.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    throw new Error(`image "${text}" names no registry: write it as HOST[:PORT]/NAME[:TAG], e.g. 127.0.0.1:5000/${text}`);
  }
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`image "${text}": digest must be sha256:<64 hex>`);
  }
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new Error(`image "${text}": "${tag}" is not a valid tag`);
  }
  if (!REPO_RE.test(rest)) throw new Error(`image "${text}": "${rest}" is not a valid repository name (lowercase letters, digits, . _ - and /)`);
  return { registry: first, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The reference as skopeo's docker:// transport spells it (tag "latest" when neither is given). */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
}

/** Whether `host[:port]` is a loopback address: 127.0.0.0/8, [::1] or localhost. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether TLS may be skipped for `registry`: loopback, or named by the user as insecure. */
export function plainHttpAllowed(registry: string, insecure: readonly string[] = []): boolean {
  return isLoopbackRegistry(registry) || insecure.includes(registry);
}

/** Credentials for one registry, as IoT Edge's registryCredentials give them. */
export interface RegistryCredential {
  username: string;
  password: string;
}

export interface TransferOptions {
  /** Registries (`host[:port]`) allowed without TLS beyond loopback ones. */
  insecure?: readonly string[];
  credential?: RegistryCredential;
}

/** Runs skopeo; throws with its own message (last lines of stderr) on failure. */
function runSkopeo(args: string[], what: string): string {
  const r = spawnSync(SKOPEO, args, { encoding: 'utf8', timeout: TRANSFER_TIMEOUT_MS });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'skopeo not found: install Debian\'s skopeo package (scripts/setup.sh does it)' : `${what}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    const msg = r.stderr.trim().split('\n').slice(-3).join(' ').replace(/^time="[^"]*" level=fatal msg=/, '');
    throw new Error(`${what}: skopeo failed: ${msg}`);
  }
  return r.stdout;
}

/**
 * skopeo reads credentials from an auth file: write one (mode 0600, removed afterwards) rather
 * than putting the password on a command line, where other users could read it.
 */
function withAuthFile<T>(registry: string, credential: RegistryCredential | undefined, run: (args: string[]) => T): T {
  if (!credential) return run([]);
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-auth-'));
  try {
    const file = join(dir, 'auth.json');
    const auth = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [registry]: { auth } } }), { mode: 0o600 });
    return run(['--authfile', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes the image tagged `tag` of an OCI layout to `image` (a registry reference). */
export function pushImage(layout: string, tag: string, image: string, opts: TransferOptions = {}): ImageRef {
  const ref = parseImageRef(image);
  const tls = plainHttpAllowed(ref.registry, opts.insecure) ? ['--dest-tls-verify=false'] : [];
  withAuthFile(ref.registry, opts.credential, (auth) =>
    runSkopeo(['copy', '--quiet', '--preserve-digests', ...auth, ...tls, `oci:${layout}:${tag}`, `docker://${formatImageRef(ref)}`], `pushing to ${image}`));
  return ref;
}

/** Pulls `image` into the OCI layout `layout` under `tag` (the layout is created or updated). */
export function pullImage(image: string, layout: string, tag: string, opts: TransferOptions = {}): ImageRef {
  const ref = parseImageRef(image);
  const tls = plainHttpAllowed(ref.registry, opts.insecure) ? ['--src-tls-verify=false'] : [];
  withAuthFile(ref.registry, opts.credential, (auth) =>
    runSkopeo(['copy', '--quiet', '--preserve-digests', ...auth, ...tls, `docker://${formatImageRef(ref)}`, `oci:${layout}:${tag}`], `pulling ${image}`));
  return ref;
}

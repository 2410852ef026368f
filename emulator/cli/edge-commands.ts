/**
 * `trustbox module pack|push` and `trustbox edge deploy|list|registry` (issue 13 section 4):
 * an edge module with its TAs as an OCI image, through a real registry (Debian's
 * docker-registry, skopeo for transfers), onto a running device as IoT Edge deploys it.
 * The work is in `cli/edge/`; this file is the command line.
 */
import type { Command } from 'commander';
import { EdgeAgent } from './edge/agent.js';
import { packModule } from './edge/module-pack.js';
import { layoutTags } from './edge/oci-layout.js';
import { startRegistry } from './edge/registry.js';
import { isLoopbackRegistry, parseImageRef, pushImage } from './edge/skopeo.js';
import { formatStatus, readStatus } from './edge/status.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const TLS_HELP = 'A registry on a loopback address (127.0.0.0/8, ::1, localhost) is reached over plain HTTP; ' +
  'any other registry needs TLS with a trusted certificate unless you name it with --insecure-registry HOST[:PORT].';

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

interface PackOpts { out: string; tag?: string; ta?: string[]; encryptedOnly?: boolean; json?: boolean }

function packCommand(dir: string, opts: PackOpts): void {
  const r = packModule({ dir, out: opts.out, ...(opts.tag ? { tag: opts.tag } : {}), extraTas: opts.ta ?? [], encryptedOnly: Boolean(opts.encryptedOnly) });
  if (opts.json) {
    console.log(JSON.stringify({ name: r.name, tag: r.tag, layout: opts.out, digest: r.manifest.digest, layers: r.layers, tas: r.tas }));
    return;
  }
  console.log(`packed ${r.name}:${r.tag} -> ${opts.out} (manifest ${r.manifest.digest})`);
  for (const t of r.tas) {
    console.log(`  TA ${t.uuid}  ${t.kind}${t.encrypted ? ', encrypted' : ''}  ${t.size} bytes`);
    if (!t.encrypted) console.log(`    note: its code is plaintext in the image; \`trustbox ta encrypt\` makes an encrypted container`);
  }
  console.log(`push it: trustbox module push ${opts.out} 127.0.0.1:PORT/${r.name}:${r.tag}`);
}

function pushCommand(layout: string, image: string, opts: { tag?: string; insecureRegistry?: string[] }): void {
  const tags = layoutTags(layout);
  const tag = opts.tag ?? (tags.length === 1 ? tags[0]! : undefined);
  if (!tag) throw new Error(`${layout} holds ${tags.length ? `tags ${tags.join(', ')}` : 'no tagged image'}: name one with --tag`);
  const ref = parseImageRef(image.includes(':', image.indexOf('/')) || image.includes('@') ? image : `${image}:${tag}`);
  const insecure = opts.insecureRegistry ?? [];
  pushImage(layout, tag, `${ref.registry}/${ref.repository}:${ref.tag ?? tag}`, { insecure });
  const how = isLoopbackRegistry(ref.registry) ? 'plain HTTP, loopback' : insecure.includes(ref.registry) ? 'plain HTTP, --insecure-registry' : 'TLS';
  console.log(`pushed ${layout}:${tag} -> ${ref.registry}/${ref.repository}:${ref.tag ?? tag} (${how})`);
}

interface DeployOpts { state: string; insecureRegistry?: string[]; restartDelayMs?: string }

async function deployCommand(deployment: string, opts: DeployOpts): Promise<void> {
  const base = opts.restartDelayMs === undefined ? undefined : wholeNumber(opts.restartDelayMs, '--restart-delay-ms');
  // Signals are taken from the start: a Ctrl-C during the pulls still stops what was started.
  let signalled!: () => void;
  const signal = new Promise<void>((resolve) => { signalled = resolve; });
  process.once('SIGINT', signalled);
  process.once('SIGTERM', signalled);
  // The agent stays in the foreground until a signal, whether or not its modules still run.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const agent = await EdgeAgent.start({
      state: opts.state, deployment, insecureRegistries: opts.insecureRegistry ?? [],
      ...(base !== undefined ? { backoff: { baseDelayMs: base } } : {}),
    });
    console.log(`edge: deployed ${agent.current.modules.length} module(s); Ctrl-C stops them (\`trustbox edge list --state ${opts.state}\` shows them)`);
    await signal;
    console.log('edge: stopping modules');
    await agent.stop();
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', signalled);
    process.off('SIGTERM', signalled);
  }
}

function listCommand(opts: { state: string; json?: boolean }): void {
  const status = readStatus(opts.state);
  console.log(opts.json ? JSON.stringify(status) : formatStatus(status));
}

async function registryCommand(opts: { dir: string; port?: string }): Promise<void> {
  const port = opts.port === undefined ? undefined : wholeNumber(opts.port, '--port');
  const registry = await startRegistry({ dir: opts.dir, ...(port ? { port } : {}), log: (line) => console.error(line) });
  console.log(`registry: listening on ${registry.host} (plain HTTP, loopback only; storage ${registry.storage}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = () => void registry.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerEdgeCommands(program: Command): void {
  const module = program.command('module').description('edge modules as OCI images: pack a module with its TAs, push it to a registry');
  module.command('pack')
    .description('build an OCI image layout from a module directory: a code layer (app/) and a TA layer (lib/optee_armtz/<uuid>.ta, each container as is)')
    .argument('<dir>', 'module directory: module.json {"name","version","main","tas":["x.ta"]} and the Node code')
    .requiredOption('--out <image-dir>', 'OCI image layout to write (oci-layout, index.json, blobs/sha256/)')
    .option('--tag <tag>', 'tag in the layout (default: module.json version)')
    .option('--ta <file>', 'another TA file to carry (repeatable), e.g. the output of `trustbox ta encrypt`', collect)
    .option('--encrypted-only', 'refuse TAs whose code is not encrypted')
    .option('--json', 'print the result as JSON')
    .action((dir: string, opts: PackOpts) => packCommand(dir, opts));
  module.command('push')
    .summary('copy an image layout to a registry (skopeo)')
    .description(`copy an image layout to a registry with skopeo. ${TLS_HELP}`)
    .argument('<image-dir>', 'OCI image layout (from `trustbox module pack`)')
    .argument('<image>', 'HOST[:PORT]/NAME[:TAG] (default tag: the layout\'s)')
    .option('--tag <tag>', 'which tag of the layout to push (default: its only one)')
    .option('--insecure-registry <host:port>', 'allow plain HTTP and unchecked certificates for this non-loopback registry (repeatable)', collect)
    .addHelpText('after', '\nSame as: skopeo copy --preserve-digests [--dest-tls-verify=false] oci:IMAGE_DIR:TAG docker://HOST:PORT/NAME:TAG')
    .action((layout: string, image: string, opts: { tag?: string; insecureRegistry?: string[] }) => pushCommand(layout, image, opts));

  const edge = program.command('edge').description('an IoT Edge agent for an emulated device: deploy modules from a registry, list them');
  edge.command('deploy')
    .summary('deploy an IoT Edge deployment manifest to a running device (foreground agent)')
    .description('deploy an IoT Edge deployment manifest to the running device of --state: pull each module image, install its TAs ' +
      '(installTA, admin credential), start it as a Node process and restart it per restartPolicy; stays in the foreground until Ctrl-C. ' + TLS_HELP)
    .argument('<deployment.json>', 'Azure IoT Edge deployment manifest (modulesContent.$edgeAgent ... modules)')
    .requiredOption('--state <dir>', 'state directory of a running device (`trustbox boot --state DIR`)')
    .option('--insecure-registry <host:port>', 'allow plain HTTP and unchecked certificates for this non-loopback registry (repeatable)', collect)
    .option('--restart-delay-ms <ms>', 'first restart back-off; doubles per restart in a row, up to 60 s (default 1000)')
    .action((deployment: string, opts: DeployOpts) => deployCommand(deployment, opts));
  edge.command('list')
    .description('the deployed modules with image, TAs and state (running, exited N, restarting, stopped, failed)')
    .requiredOption('--state <dir>', 'state directory the agent deployed to')
    .option('--json', 'print <state>/edge/status.json')
    .action((opts: { state: string; json?: boolean }) => listCommand(opts));
  edge.command('registry')
    .description('run Debian\'s docker-registry on 127.0.0.1 (plain HTTP, no auth) with storage under --dir, until Ctrl-C')
    .requiredOption('--dir <dir>', 'directory for the registry\'s config and storage')
    .option('--port <port>', 'TCP port on 127.0.0.1 (default: a free one)')
    .action((opts: { dir: string; port?: string }) => registryCommand(opts));
}

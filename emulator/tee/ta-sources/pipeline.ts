/**
 * Where a TA's code comes from, and what it must pass before it runs: a pipeline of three
 * stages, each a registry that new kinds join with one line.
 *
 *   find     the first TA source that has `<uuid>.ta` (today: the normal world's TA store,
 *            through OPTEE_RPC_CMD_LOAD_TA; later sources may be a secure-storage TA store)
 *   open     the container kind that handles the file's img_type verifies its signature by a
 *            trusted key and, for encrypted kinds, decrypts it into secure memory
 *            and the rollback check compares its ta_version with the highest seen (rollback.ts)
 *   measure  SHA-256 of the signed container as fetched, and the signer's key id, kept by
 *            the TA instance for attestation
 *
 * A failure at any stage is a TeeError with the stage's result code, and a secure-console line
 * names the check that failed.
 */
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_BAD_FORMAT, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SECURITY,
} from '../../abi/results.js';
import { sha256 } from '../../host/crypto.js';
import { IMG_TYPE_NAMES, SHDR_ENCRYPTED_TA, parseTaContainer, type TrustedKey } from '../loader/container.js';
import { openSubkeyChain, startsWithSubkey, type SubkeyChain } from '../loader/subkey.js';
import type { Kernel } from '../kernel.js';
import type { SecureThread } from '../service.js';
import type { TaVersionStore } from './rollback.js';

/** A TA file as a source found it. */
export interface FetchedTa {
  bytes: Uint8Array;
  /** Where it came from, for traces ("REE TA store (LOAD_TA)"). */
  source: string;
}

/** A place TAs are found. */
export interface TaSource {
  readonly name: string;
  /** The TA file of `uuid`, or undefined when this source has none. */
  find(uuid: string): SecureThread<FetchedTa | undefined>;
}

/** What a container kind yields: the plaintext ELF and who signed it. */
export interface OpenedContainer {
  elf: Uint8Array;
  /** Name of the trusted key that verified. */
  signer: string;
  /** The UUID its signed header names, if it names one. */
  namedUuid?: string;
  /** The bootstrap header's ta_version (rollback counter), if it has one. */
  taVersion?: number;
}

/**
 * What a container kind may use of the core: HUK subkeys (OP-TEE's TA encryption key) and the
 * device identity (per-device envelopes).
 */
export type ContainerContext = Pick<Kernel, 'deriveKey' | 'identity'>;

/** One kind of TA container (signed, encrypted...), chosen by the header's img_type. */
export interface ContainerKind {
  readonly name: string;
  readonly imgTypes: readonly number[];
  open(bytes: Uint8Array, keys: readonly TrustedKey[], label: string, context: ContainerContext): OpenedContainer;
}

/** Who signed a TA and which version it is (what installation rules compare). */
export interface TaIdentity {
  uuid: string;
  taVersion: number;
  signer: string;
  signerId: string;
  developmentSigner: boolean;
}

/** A TA that passed the pipeline. */
export interface TaCode {
  uuid: string;
  elf: Uint8Array;
  signer: string;
  /** SHA-256 of the signing key's SubjectPublicKeyInfo (hex): who vouches for this code. */
  signerId: string;
  /** Signed by a development key (public knowledge): no identity to bind data to. */
  developmentSigner: boolean;
  /** SHA-256 of the signed container as fetched (hex): what exactly was loaded. */
  measurement: string;
  size: number;
  source: string;
}

export interface TaPipelineOptions {
  sources: readonly TaSource[];
  kinds: readonly ContainerKind[];
  keys: readonly TrustedKey[];
  context: ContainerContext;
  /** The highest ta_version loaded per UUID (rollback.ts). */
  versions: TaVersionStore;
  /** Secure console. */
  log(line: string): void;
}

export class TaSourcePipeline {
  private readonly keyIds = new Map<string, string>();

  constructor(private readonly options: TaPipelineOptions) {
    for (const k of options.keys) {
      this.keyIds.set(k.name, sha256(k.key.export({ type: 'spki', format: 'der' })).toString('hex'));
    }
  }

  /** Finds, opens and measures the TA `uuid` (a library TA too); throws a TeeError. */
  *open(uuid: string): SecureThread<TaCode> {
    const fetched = yield* this.find(uuid);
    const { opened, chain } = this.verify(uuid, fetched.bytes);
    for (const sk of chain?.subkeys ?? []) this.checkRollback(sk.uuid, sk.version, 'subkey');
    this.checkRollback(uuid, opened.taVersion ?? 0);
    return {
      uuid, elf: opened.elf, ...this.identity(opened.signer, chain),
      measurement: sha256(fetched.bytes).toString('hex'), size: fetched.bytes.length, source: fetched.source,
    };
  }

  /**
   * Verifies a TA file offered for installation, before the normal world stores it: it must
   * name its UUID, pass its container kind's checks with a trusted key, and is answered with
   * the identity and version the install rules compare.
   */
  vet(bytes: Uint8Array): TaIdentity {
    const c = parseTaContainer(startsWithSubkey(bytes) ? openSubkeyChain(bytes, this.options.keys, 'TA file').rest : bytes, 'TA file');
    const uuid = c.bootstrap?.uuid;
    if (!uuid) throw new TeeError(TEE_ERROR_BAD_FORMAT, 'TA file: the signed header names no UUID (sign it as a BOOTSTRAP_TA)');
    const { opened, chain } = this.verify(uuid, bytes);
    return { uuid, taVersion: c.bootstrap?.taVersion ?? 0, ...this.identity(opened.signer, chain) };
  }

  /** Who vouches for the code: the trusted key, or for a subkey chain its last subkey (a development root stays one). */
  private identity(signer: string, chain?: SubkeyChain): { signer: string; signerId: string; developmentSigner: boolean } {
    if (chain) {
      const signerId = sha256(chain.signer.key.export({ type: 'spki', format: 'der' })).toString('hex');
      return { signer: `${chain.signer.name} (signed by ${chain.root.name})`, signerId, developmentSigner: chain.root.development === true };
    }
    const key = this.options.keys.find((k) => k.name === signer);
    return { signer, signerId: this.keyIds.get(signer) ?? '', developmentSigner: key?.development === true };
  }

  private *find(uuid: string): SecureThread<FetchedTa> {
    let last: TeeError | undefined;
    for (const source of this.options.sources) {
      try {
        const found = yield* source.find(uuid);
        if (found) return found;
      } catch (error) {
        if (!(error instanceof TeeError)) throw error;
        last = error;
      }
    }
    throw last ?? new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `TA ${uuid} was not found in any TA source`);
  }

  /**
   * Opens a container with its kind; a file that starts with a subkey chain is opened after the
   * chain verified, with the chain's last subkey as the only key, and must have the chain's UUID.
   */
  private verify(uuid: string, file: Uint8Array): { opened: OpenedContainer; chain?: SubkeyChain } {
    const label = `TA ${uuid}`;
    let opened: OpenedContainer;
    let chain: SubkeyChain | undefined;
    try {
      chain = startsWithSubkey(file) ? openSubkeyChain(file, this.options.keys, label) : undefined;
      if (chain && chain.nextUuid !== uuid) {
        throw new TeeError(TEE_ERROR_SECURITY, `${label}: subkey chain: the TA is not in the namespace of subkey ${chain.subkeys.at(-1)!.uuid} (its UUID would be ${chain.nextUuid})`);
      }
      const bytes = chain ? chain.rest : file;
      const keys = chain ? [chain.signer] : this.options.keys;
      const imgType = parseTaContainer(bytes, label, { lenientSize: true }).imgType;
      const kind = this.options.kinds.find((k) => k.imgTypes.includes(imgType));
      if (!kind) {
        const what = imgType === SHDR_ENCRYPTED_TA ? 'encrypted TAs' : `${IMG_TYPE_NAMES[imgType] ?? `img_type ${imgType}`} containers`;
        throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${label}: ${what} are not supported yet`);
      }
      opened = kind.open(bytes, keys, label, this.options.context);
    } catch (error) {
      if (error instanceof TeeError) this.options.log(`tee: refusing TA ${uuid}: ${error.message}`);
      throw error;
    }
    if (opened.namedUuid && opened.namedUuid !== uuid) this.refuse(uuid, `its signed header names UUID ${opened.namedUuid}`);
    return { opened, ...(chain ? { chain } : {}) };
  }

  /**
   * OP-TEE's rollback rule, checked after everything else: a ta_version lower than the highest
   * this device has loaded for the UUID is TEE_ERROR_ACCESS_CONFLICT; a higher one is recorded.
   */
  private checkRollback(uuid: string, version: number, what: 'TA' | 'subkey' = 'TA'): void {
    // Subkey versions are kept beside TA versions (OP-TEE: subkey_ver.db beside ta_ver.db).
    const entry = what === 'TA' ? uuid : `subkey ${uuid}`;
    let highest: number;
    try {
      highest = this.options.versions.highest(entry);
      if (version > highest) this.options.versions.record(entry, version);
    } catch (error) {
      if (error instanceof TeeError) throw error;
      return this.refuse(uuid, `rollback check: the record of TA versions cannot be trusted (${(error as Error).message})`);
    }
    if (version < highest) {
      const message = what === 'TA'
        ? `TA ${uuid} is refused: rollback check: ta_version ${version} is older than ${highest}, the highest this device has loaded`
        : `subkey ${uuid} is refused: rollback check: subkey_version ${version} is older than ${highest}, the highest this device has seen`;
      this.options.log(`tee: ${message}`);
      throw new TeeError(what === 'TA' ? TEE_ERROR_ACCESS_CONFLICT : TEE_ERROR_SECURITY, message);
    }
  }

  /** Refuses a TA: a console line and TEE_ERROR_SECURITY. */
  refuse(uuid: string, why: string): never {
    const message = `TA ${uuid} is refused: ${why}`;
    this.options.log(`tee: ${message}`);
    throw new TeeError(TEE_ERROR_SECURITY, message);
  }
}

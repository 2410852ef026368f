/**
 * DSA test material shared by the unit and conformance tests, independent of the emulator's
 * code: node:crypto DSA key pairs with their numbers (node has no JWK for DSA, so they come out
 * of the DER), public keys built from numbers, r||s in DER, and NIST FIPS 186-3 SigGen vectors.
 */
import * as nodeCrypto from 'node:crypto';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** One DER TLV at `at`: tag, contents, and where the next one starts. */
function tlv(b: Buffer, at = 0): { tag: number; body: Buffer; end: number } {
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = b.readUIntBE(p, n);
    p += n;
  }
  return { tag: b[at]!, body: b.subarray(p, p + len), end: p + len };
}

/** The contents of the TLVs inside a constructed one. */
function items(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < b.length;) {
    const t = tlv(b, at);
    out.push(t.body);
    at = t.end;
  }
  return out;
}

/** A DER TLV (contents up to 64 KiB). */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/** A DER INTEGER from big-endian unsigned bytes (leading zeros dropped, a sign byte added). */
function int(v: Uint8Array): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const m = Buffer.from(v.subarray(i));
  return der(2, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

/** Unsigned big-endian bytes of a DER INTEGER's contents. */
const unsigned = (b: Buffer): Buffer => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b);

export interface DsaNumbers { p: Buffer; q: Buffer; g: Buffer; x: Buffer; y: Buffer }
export interface DsaPair extends DsaNumbers { priv: nodeCrypto.KeyObject; pub: nodeCrypto.KeyObject }

/**
 * A node:crypto DSA key pair and its numbers: PKCS#8 is SEQUENCE { 0, SEQUENCE { OID, SEQUENCE
 * { p, q, g } }, OCTET STRING { INTEGER x } }, SPKI SEQUENCE { SEQUENCE { OID, params },
 * BIT STRING { 0 unused bits, INTEGER y } }.
 */
export function providerDsaPair(modulusLength: number, divisorLength: number): DsaPair {
  const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('dsa', { modulusLength, divisorLength });
  const [, alg, wrapped] = items(tlv(privateKey.export({ format: 'der', type: 'pkcs8' })).body);
  const [p, q, g] = items(items(alg!)[1]!).map(unsigned);
  const x = unsigned(tlv(wrapped!).body);
  const [, bits] = items(tlv(publicKey.export({ format: 'der', type: 'spki' })).body);
  const y = unsigned(tlv(bits!.subarray(1)).body);
  return { p: p!, q: q!, g: g!, x, y, priv: privateKey, pub: publicKey };
}

/** The SPKI DER of a DSA public key (OID 1.2.840.10040.4.1). */
export const dsaSpki = (k: Omit<DsaNumbers, 'x'>): Buffer =>
  der(0x30, der(0x30, hex('06072a8648ce380401'), der(0x30, int(k.p), int(k.q), int(k.g))), der(3, Buffer.from([0]), int(k.y)));

/** A node:crypto public key from the numbers. */
export const dsaPublicKey = (k: Omit<DsaNumbers, 'x'>): nodeCrypto.KeyObject =>
  nodeCrypto.createPublicKey({ key: dsaSpki(k), format: 'der', type: 'spki' });

/** r||s (halves of equal length) as the DER SEQUENCE { INTEGER r, INTEGER s } node:crypto takes by default. */
export const dsaDerSignature = (sig: Buffer): Buffer =>
  der(0x30, int(sig.subarray(0, sig.length / 2)), int(sig.subarray(sig.length / 2)));

export interface DsaVector extends DsaNumbers { name: string; hash: 'sha1' | 'sha224' | 'sha256'; msg: Buffer; sig: Buffer }

/**
 * NIST FIPS 186-3 SigGen.txt vectors (csrc.nist.gov CAVP 186-3dsatestvectors.zip, also in
 * optee_test's host/xtest/nist/186-3dsatestvectors.h as ac_dsa_vect1, 106 and 166): a SHA-1
 * digest as long as q, SHA-256 longer than q (cut to 224 bits), SHA-224 shorter than q.
 */
const RAW = [
  {
    name: 'L=1024, N=160, SHA-1', hash: 'sha1',
    p: `a8f9cd201e5e35d892f85f80e4db2599a5676a3b1d4f190330ed3256b26d0e80a0e49a8fffaaad2a24f472d2573241d4d6d6c7480c80b4c6
      7bb4479c15ada7ea8424d2502fa01472e760241713dab025ae1b02e1703a1435f62ddf4ee4c1b664066eb22f2e3bf28bb70a2a76e4fd5ebe
      2d1229681b5b06439ac9c7e9d8bde283`,
    q: 'f85f0f83ac4df7ea0cdf8f469bfeeaea14156495',
    g: `2b3152ff6c62f14622b8f48e59f8af46883b38e79b8c74deeae9df131f8b856e3ad6c8455dab87cc0da8ac973417ce4f7878557d6cdf40b3
      5b4a0ca3eb310c6a95d68ce284ad4e25ea28591611ee08b8444bd64b25f3f7c572410ddfb39cc728b9c936f85f419129869929cdb909a6a3
      a99bbe089216368171bd0ba81de4fe33`,
    x: 'c53eae6d45323164c7d07af5715703744a63fc3a',
    y: `313fd9ebca91574e1c2eebe1517c57e0c21b0209872140c5328761bbb2450b33f1b18b409ce9ab7c4cd8fda3391e8e34868357c199e16a6b
      2eba06d6749def791d79e95d3a4d09b24c392ad89dbf100995ae19c01062056bb14bce005e8731efde175f95b975089bdcdaea562b32786d
      96f5a31aedf75364008ad4fffebb970b`,
    msg: `3b46736d559bd4e0c2c1b2553a33ad3c6cf23cac998d3d0c0e8fa4b19bca06f2f386db2dcff9dca4f40ad8f561ffc308b46c5f31a7735b5f
      a7e0f9e6cb512e63d7eea05538d66a75cd0d4234b5ccf6c1715ccaaf9cdc0a2228135f716ee9bdee7fc13ec27a03a6d11c5c5b3685f51900
      b1337153bc6c4e8f52920c33fa37f4e7`,
    sig: '50ed0e810e3f1c7cb6ac62332058448bd8b284c0c6aded17216b46b7e4b6f2a97c1ad7cc3da83fde',
  },
  {
    name: 'L=2048, N=224, SHA-256', hash: 'sha256',
    p: `a4c7eaab42c4c73b757770916489f17cd50725cd0a4bc4e1cf67f763b8c1de2d6dab9856baafb008f365b18a42e14dc51f350b88eca0209c
      5aa4fd71a7a96c765f5901c21e720570d7837bec7c76d2e49344731ca39405d0a879b9e0dcd1a8125fd130ec1e783e654b94e3002e6b629e
      904ab3877867720cbd54b4270a9e15cd028c7cc796f06c272a660951928fdbeb2dca061b41e932257305742ff16e2f429191d5e5f1a6ddf6
      e78c5d7722cff80a9c0bd5c8d7aeba8c04438992b075e307c1534c49ad380f477f5f7987dc172c161dca38dcaf3fb3846c72c9119a5299ad
      c748951b3dce0d00d4a9013800b2008203b72465bc6a84ae059a30c4522dea57`,
    q: 'ce89fe332b8e4eb3d1e8ddcea5d163a5bc13b63f16993755427aef43',
    g: `8c465edf5a180730291e080dfc5385397a5006450dba2efe0129264fbd897bb5579ca0eab19aa278220424724b4f2a6f6ee6328432abf661
      380646097233505339c5519d357d7112b6eec938b85d5aa75cc2e38092f0a530acb54e50fe82c4d562fb0f3036b80b30334023ebbe6637a0
      010b00c7db86371168563671e1e0f028aedbd45d2d572621a609982a073e51aae27707afbeef29e2ecee84d7a6d5da382be3a35f42b6c668
      49202ab19d025b869d08776476d1ab981475ad2ad2f3e6fd07e30696d90a626816df60d6ca7afd7b482f942f83b45cc82933731f87faee32
      0900f2aa3e70b1867e1430e40be67c07f9290299ef067b8b24a7515b3f992c07`,
    x: '551595eccbb003b0bf8ddda184a59da51e459a0d28205e5592ca4cb1',
    y: `748a40237211a2d9852596e7a891f43d4eb0ee48826c9cfb336bbb68dbe5a5e16b2e1271d4d13de03644bb85ef6be523a4d4d88415bcd596
      ba8e0a3c4f6439e981ed013d7d9c70336febf7d420cfed02c267457bb3f3e7c82145d2af54830b942ec74a5d503e4226cd25dd75decd3f50
      f0a858155d7be799410836ddc559ce99e1ae513808fdaeac34843dd7258f16f67f19205f6f139251a4186da8496d5e90d3fecf8ed10be6c2
      5ff5eb33d960c9a8f4c581c8c724ca43b761e9fdb5af66bffb9d2ebb11a6b504a1fbe4f834ecb6ac254cab513e943b9a953a7084b3305c66
      1bfad434f6a835503c9ade7f4a57f5c965ec301ecde938ee31b4deb038af97b3`,
    msg: `cec8d2843dee7cb5f9119b75562585e05c5ce2f4e6457e9bcc3c1c781ccd2c0442b6282aea610f7161dcede176e774861f7d2691be6c894a
      c3ebf80c0fab21e52a3e63ae0b35025762ccd6c9e1fecc7f9fe00aa55c0c3ae33ae88f66187f9598eba9f863171f3f56484625bf39d88342
      7349b8671d9bb7d396180694e5b546ae`,
    sig: `9c5fa46879ddaf5c14f07dfb5320715f67a6fec179e3ad53342fb6d1c3e17e7b3c4d0ac8d49f4dd0f04c16a094f42da0afcc6c90f5f1bbc8`,
  },
  {
    name: 'L=2048, N=256, SHA-224', hash: 'sha224',
    p: `d02276ebf3c22ffd666983183a47ae94c9bccbcbf95ddcb491d1f7ce643549199992d37c79e7b032d26ed031b6ba4489f3125826fafb2726
      a98333ebd9abdde592d8693d9859536d9cc3841a1d24e044d35aced6136256fc6d6b615cf4f4163aa381eb2b4c480825a8eccc56d8ddcf5f
      e637e38ad9b2974bd2cf68bf271e0d067d2465a8b6b660524f0082598945ada58ea649b9804eb4753408c2c59768c46abb82e3295f3d9ca4
      69f84cc187f572dc4b5a3b39346ec839dfad6f07d6d1f0e215209bb0ecc05c767cf2e7943ac9cfb02eee1e9ef5946e8ce88316b5e15fdcf9
      5a132ef2e4bb0817136528cfa5dd96532f9c3abe5c421620edb6bcbd52234ca9`,
    q: '8000000012997e8285e4089708f528070c6d7af8a0bd01409e7a079cdb6fc5bb',
    g: `778453049ef262147fed7b59b0ee6764607c51e7b5b5fc6fea7a7a7b1dd6bb283f4a9ae98efd3964b1556758cb15b2a53af8619e74d85898
      bec77d3b3f382494ae5961a13ffc745da386182291519800f99dd710e00aeb15adee088e2798ee2e46f598526cf0f4667055d1ba00975004
      1dc5cdd2725ff1d97dd340c8518af7671b87d39d67aeced84b66f84e0701efc82a5c9ef954ee576d24c385b14d63037f0d866fd424b4975b
      dd5485ed740cb932e843f906683f7c7b2c74775d901c361b847b519c0da699638da40bd736b783d2710b2c2cc26ef91271bf4e2c1929f876
      e902e2057164223bc78d6a2b9f6c0c7a7cb85922f7d6c4287ae23861f8128848`,
    x: '6ba81e6cd4367798aaab8b7af1135183a37c42a766dbd68cd2dce78f2670ef0f',
    y: `7bb31e98c7a0437f978a73d5dcfbdfbb09cc2499dfaf1eb5256bccd6358cabb5f67d04a42823463b7e957f2b9213f1fa8e5a98d614484701
      abb8c7d67641fe6ed06fa4527b493ddab2e74640fde3de70da693f1db2b8e26417040af0eea6cab451a795a52e187d2ee241b93f65c86c6d
      66f45834cce165ac5eb670d4f0095c23ce9757e3bdc636f991ee0073d90a09202edb35cc3ea1cf9adca1617fa0bffd9c126229a604a1d3bf
      4931ddf0b9942dfc8a2f8c09fcc97032564a79ae1ebe1e2ce49ff57839e7c43fa60b1603d15a450898aa4e4a1ee8065794126d64f0133670
      96a83686b9f158c33b10f5f3b36cf1f6358b3f34f84b101dc26d3db68bcc95c8`,
    msg: `39f2d8d503aae8cd17854456ecfad49a18900d4375412bc689181ed9c2ccafea98dca689a72dc75e5367d3d3abfc2169700d5891cff70f69
      d9aca093b061b9f5057f94636bc2783115254344fb12e33b167272e198838a8728e7744ea9a2e8248e34d5906e298302472637b879de91c1
      a6f9f331a5cf98a5af29132990d27416`,
    sig: `059bee9e708b7f20c3f791a640edee964e0aa672893c484799715817b3a8f6d44bd41c84a724cc86e4f0194ec0fbf379e654d0d7f6a1f08b
      d468139422a5c353`,
  },
] as const;

export const NIST_DSA: readonly DsaVector[] = RAW.map((v) => ({
  name: v.name, hash: v.hash, p: hex(v.p), q: hex(v.q), g: hex(v.g), x: hex(v.x), y: hex(v.y), msg: hex(v.msg), sig: hex(v.sig),
}));

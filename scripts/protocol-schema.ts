/**
 * docs/protocol.schema.json, generated: the WebSocket protocol as a JSON Schema (draft 2020-12)
 * for clients written in other languages. The structure comes from the declarative definitions
 * that emulator/abi/protocol.ts exports (FRAMES, OPERATIONS, PARAM_TYPES of protocol-shapes.ts,
 * ProtocolError, DEFAULT_LIMITS, the TEEC constants), the prose from the TSDoc of both files,
 * read with the TypeScript compiler API; nothing is written twice, so the schema cannot drift
 * from the code.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/protocol-schema.js > docs/protocol.schema.json
 *
 * test/api/schema.test.ts regenerates it, fails when the committed file differs, and validates
 * real traffic against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as P from '../emulator/abi/protocol.js';

/** A JSON Schema (a plain JSON object). */
export type JsonSchema = { [key: string]: unknown };

/** The files the definitions and the prose come from, relative to the repository; the first is the contract module. */
export const PROTOCOL_SOURCES = ['emulator/abi/protocol.ts', 'emulator/abi/protocol-shapes.ts'] as const;
const PROTOCOL_SOURCE = PROTOCOL_SOURCES[0];
/** Where the generated schema is committed, relative to the repository. */
export const SCHEMA_FILE = 'docs/protocol.schema.json';
/** The command that regenerates SCHEMA_FILE. */
export const REGENERATE = `npx tsc -p tsconfig.json && node dist/scripts/protocol-schema.js > ${SCHEMA_FILE}`;

/**
 * The repository root: the nearest folder above this module that holds protocol.ts (this
 * module runs from scripts/ under vitest and from dist/scripts/ once compiled).
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, PROTOCOL_SOURCE))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`${PROTOCOL_SOURCE} not found above ${dirname(fileURLToPath(import.meta.url))}`);
}

// ---------------------------------------------------------------------------------------------
// The prose: TSDoc of PROTOCOL_SOURCES, by dotted name ("Limits.maxInFlight",
// "Operations.openSession.args.uuid", "ProtocolError.BAD_TOKEN").

/** Reads into `docs` the TSDoc of every declaration, interface member and object-literal property of `file`. */
export function readDocs(file: string, docs = new Map<string, string>()): Map<string, string> {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const note = (key: string, node: ts.Node): void => {
    const text = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)
      .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ').replace(/\s+/g, ' ').trim();
    if (text) docs.set(key, text);
  };
  const members = (prefix: string, list: ts.NodeArray<ts.TypeElement>): void => {
    for (const m of list) {
      if (!ts.isPropertySignature(m)) continue;
      const key = `${prefix}.${m.name.getText(src)}`;
      note(key, m);
      if (m.type && ts.isTypeLiteralNode(m.type)) members(key, m.type.members);
    }
  };
  const literal = (prefix: string, expr: ts.Expression): void => {
    // `{...} as const satisfies T`: the object is inside the type assertions.
    while (ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isParenthesizedExpression(expr)) expr = expr.expression;
    if (!ts.isObjectLiteralExpression(expr)) return;
    for (const p of expr.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const key = `${prefix}.${p.name.getText(src)}`;
      note(key, p);
      literal(key, p.initializer);
    }
  };
  for (const st of src.statements) {
    if (ts.isInterfaceDeclaration(st)) {
      note(st.name.text, st);
      members(st.name.text, st.members);
    } else if (ts.isTypeAliasDeclaration(st)) {
      note(st.name.text, st);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        note(d.name.text, st);
        if (d.initializer) literal(d.name.text, d.initializer);
      }
    }
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// The schema

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const pascal = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** `{description}` when there is one, `{}` otherwise (keeps `"description": undefined` out of the JSON). */
const described = (text: string | undefined): JsonSchema => (text ? { description: text } : {});

/** The TEEC constants of protocol.ts whose names match `re`, by value. */
function constants(re: RegExp): { name: string; value: number }[] {
  return Object.entries(P)
    .filter(([name, value]) => re.test(name) && typeof value === 'number')
    .map(([name, value]) => ({ name, value: value as number }))
    .sort((a, b) => a.value - b.value);
}

/** Builds the schema from protocol.ts's definitions and the TSDoc in `docs`. */
export function buildSchema(docs: Map<string, string>): JsonSchema {
  const doc = (...keys: string[]): string | undefined => {
    for (const k of keys) if (docs.has(k)) return docs.get(k);
    return undefined;
  };
  /** Like doc, but the name must have TSDoc: a renamed declaration fails here instead of losing its prose. */
  const mustDoc = (key: string): string => {
    const text = docs.get(key);
    if (!text) throw new Error(`${PROTOCOL_SOURCES.join(', ')}: no TSDoc for ${key}`);
    return text;
  };
  const resultDefs = [...new Set(P.OPERATION_NAMES.map((op) => `${pascal(op)}Result`))];

  // How a field of each kind is written. A Record over every WireKind: tsc refuses a kind
  // added to protocol-shapes.ts without a schema here.
  const kinds: Record<P.WireKind, () => JsonSchema> = {
    u32: () => ref('U32'),
    id: () => ref('Id'),
    shortString: () => ref('ShortString'),
    string: () => ({ type: 'string' }),
    number: () => ({ type: 'number' }),
    boolean: () => ({ type: 'boolean' }),
    bytes: () => ref('Bytes'),
    uuid: () => ref('Uuid'),
    paramType: () => ref('TeecParamType'),
    params: () => ({ type: 'array', maxItems: P.TEEC_CONFIG_PAYLOAD_REF_COUNT, items: ref('Param') }),
    resultParams: () => ({ type: 'array', maxItems: P.TEEC_CONFIG_PAYLOAD_REF_COUNT, items: ref('ResultParam') }),
    login: () => ref('TeecLogin'),
    shmFlags: () => ref('TeecSharedMemoryFlags'),
    origin: () => ref('TeecOrigin'),
    resultCode: () => ref('ResultCode'),
    version: () => ref('Version'),
    operation: () => ref('OperationName'),
    args: () => ({ type: 'object' }),
    operationResult: () => ({ anyOf: resultDefs.map(ref) }),
    taList: () => ({ type: 'array', items: ref('TaEntry') }),
    limits: () => ref('Limits'),
    error: () => ref('WireError'),
    errorCode: () => ref('ErrorCode'),
    nullableId: () => ({ anyOf: [{ type: 'null' }, ref('Id')] }),
    stream: () => ref('EventStream'),
    event: () => ref('DeviceEvent'),
    traceCalls: () => ({
      type: 'array',
      items: {
        type: 'object', required: ['call', 'events'], additionalProperties: false,
        properties: { call: ref('Id'), events: { type: 'array', items: ref('DeviceEvent') } },
      },
    }),
  };

  /** A map with exactly the fields of `shape`; `fieldDoc` finds each field's prose. */
  const object = (shape: P.Shape, description: string | undefined, fieldDoc: (field: string) => string | undefined, head: JsonSchema = {}): JsonSchema => {
    const properties: JsonSchema = { ...head };
    for (const [k, kind] of [...Object.entries(shape.required), ...Object.entries(shape.optional)]) {
      properties[k] = { ...kinds[kind](), ...described(fieldDoc(k)) };
    }
    const required = [...Object.keys(head), ...Object.keys(shape.required)];
    return {
      ...described(description),
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: false,
      ...(shape.exactlyOne ? { oneOf: shape.exactlyOne.map((k) => ({ required: [k] })) } : {}),
    };
  };

  /** `if type is T then the schema of T` for each of `types`: one precise error instead of a oneOf's many. */
  const byType = (types: string[], description: string): JsonSchema => ({
    description,
    type: 'object',
    properties: { type: { enum: types } },
    required: ['type'],
    allOf: types.map((t) => ({
      if: { properties: { type: { const: t } } },
      then: ref(FRAME_NAMES[t as keyof typeof FRAME_NAMES]),
    })),
  });

  const defs: JsonSchema = {};

  // Frames
  const frameTypes = Object.keys(P.FRAMES) as (keyof typeof P.FRAMES)[];
  const sentBy = (from: 'client' | 'server'): string[] => frameTypes.filter((t) => P.FRAMES[t].from === from);
  defs.ClientFrame = byType(sentBy('client'), 'A frame a client sends: a hello first, then requests.');
  defs.ServerFrame = byType(sentBy('server'), 'A frame the server sends.');
  for (const t of frameTypes) {
    const name = FRAME_NAMES[t];
    const frame = object(P.FRAMES[t].fields, mustDoc(name), (f) => doc(`${name}.${f}`), { type: { const: t } });
    if (t === 'req') {
      // The arguments follow from `op`.
      frame.allOf = P.OPERATION_NAMES.map((op) => ({
        if: { properties: { op: { const: op } } },
        then: { properties: { args: ref(`${pascal(op)}Args`) } },
      }));
    }
    if (t === 'res') {
      (frame.properties as JsonSchema).result = {
        ...(frame.properties as JsonSchema).result as JsonSchema,
        description: 'The result of the operation of the request with this id: its <Operation>Result.',
      };
    }
    defs[name] = frame;
  }

  // Operations
  defs.OperationName = { description: 'The operations, each with <Operation>Args and <Operation>Result.', enum: P.OPERATION_NAMES };
  for (const op of P.OPERATION_NAMES) {
    const def: { args: P.Shape; result: P.Shape } = P.OPERATIONS[op];
    const what = doc(`Operations.${op}`);
    defs[`${pascal(op)}Args`] = object(def.args, `The arguments of ${op}.${what ? ` ${what}` : ''}`,
      (f) => doc(`Operations.${op}.args.${f}`));
    defs[`${pascal(op)}Result`] = object(def.result, `The result of ${op}.`,
      (f) => doc(`Operations.${op}.result.${f}`, `OperationOutcome.${f}`, `DeviceInfo.${f}`));
  }

  // Parameters
  defs.Param = withParamFields(object(P.PARAM_SHAPE, mustDoc('WireParam'), () => undefined), 'request');
  defs.ResultParam = withParamFields(object(P.RESULT_PARAM_SHAPE, mustDoc('WireResultParam'), () => undefined), 'result');

  // Other maps
  defs.TaEntry = object(P.TA_ENTRY_SHAPE, `One entry of listTAs. ${mustDoc('Operations.listTAs')}`, () => undefined);
  defs.WireError = {
    ...object(P.WIRE_ERROR_SHAPE, mustDoc('WireError'), (f) => doc(`WireError.${f}`)),
    // Each stable code comes with one result and origin; `tee` with whatever the TEE said.
    oneOf: [
      ...Object.entries(P.ProtocolError).map(([key, e]) => ({
        title: key,
        properties: { code: { const: e.code }, result: { const: e.result }, origin: { const: e.origin } },
      })),
      { title: 'tee', properties: { code: { const: 'tee' } } },
    ],
  };
  defs.ErrorCode = {
    description: mustDoc('WireError.code'),
    oneOf: [
      ...Object.entries(P.ProtocolError).map(([key, e]) => ({
        const: e.code, title: key, description: `${mustDoc(`ProtocolError.${key}`)} Result ${hex(e.result)}, origin ${e.origin}.`,
      })),
      { const: 'tee', title: 'TEE', description: 'The request reached the device and the TEE refused it: result and origin are the TEE\'s.' },
    ],
  };
  defs.Limits = {
    description: `${mustDoc('Limits')} Each default is the server's default (DEFAULT_LIMITS).`,
    type: 'object',
    properties: Object.fromEntries(Object.entries(P.DEFAULT_LIMITS).map(([k, v]) => [k, { type: 'integer', minimum: 1, default: v, ...described(doc(`Limits.${k}`)) }])),
    required: Object.keys(P.DEFAULT_LIMITS),
    additionalProperties: false,
  };
  defs.DeviceEvent = {
    description: P.WIRE_KINDS.event,
    type: 'object',
    properties: { type: { type: 'string' }, t: { type: 'number' } },
    required: ['type', 't'],
  };
  defs.EventStream = { description: mustDoc('EVENT_STREAMS'), enum: [...P.EVENT_STREAMS] };
  defs.EndpointFile = object(P.ENDPOINT_FILE_SHAPE, `${mustDoc('EndpointFile')} It is JSON, not msgpack; not a frame.`, () => undefined);

  // Scalar kinds
  defs.U32 = { description: P.WIRE_KINDS.u32, type: 'integer', minimum: 0, maximum: P.U32_MAX };
  defs.Id = { description: P.WIRE_KINDS.id, type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
  defs.ShortString = { description: P.WIRE_KINDS.shortString, type: 'string', maxLength: P.SHORT_STRING_MAX };
  defs.Uuid = { description: P.WIRE_KINDS.uuid, type: 'string', pattern: P.UUID_PATTERN };
  defs.Version = { description: P.WIRE_KINDS.version, const: P.PROTOCOL_VERSION };
  defs.ResultCode = { description: `${P.WIRE_KINDS.resultCode} TeecResult names the codes.`, $ref: '#/$defs/U32' };
  defs.Bytes = {
    description: `${P.WIRE_KINDS.bytes} JSON has no bytes: to validate a decoded frame against this schema, `
      + 'replace each bin value with {"$bytes": <its length>} first.',
    type: 'object',
    properties: { $bytes: { type: 'integer', minimum: 0 } },
    required: ['$bytes'],
    additionalProperties: false,
  };

  // TEEC constants
  defs.TeecResult = {
    description: 'The TEEC result codes the GlobalPlatform TEE Client API names (titles as tee_client_api.h spells them).',
    oneOf: constants(/^TEEC_(SUCCESS|ERROR_\w+)$/).map((c) => ({ const: c.value, title: c.name, description: hex(c.value) })),
  };
  defs.TeecOrigin = { description: P.WIRE_KINDS.origin, oneOf: constants(/^TEEC_ORIGIN_/).map((c) => ({ const: c.value, title: c.name })) };
  defs.TeecParamType = {
    description: `${mustDoc('PARAM_TYPES')} Each type's description lists the fields its parameter carries.`,
    oneOf: P.PARAM_TYPES.map((t) => ({
      const: t.type, title: t.name,
      description: `request: ${t.request.join(', ') || '-'}; result: ${t.result.join(', ') || '-'}`,
    })),
  };
  defs.TeecLogin = { description: P.WIRE_KINDS.login, oneOf: constants(/^TEEC_LOGIN_/).map((c) => ({ const: c.value, title: c.name })) };
  const mem = constants(/^TEEC_MEM_/);
  defs.TeecSharedMemoryFlags = {
    description: P.WIRE_KINDS.shmFlags,
    oneOf: Array.from({ length: (1 << mem.length) - 1 }, (_, i) => {
      const set = mem.filter((_, b) => ((i + 1) & (1 << b)) !== 0);
      return { const: set.reduce((v, c) => v | c.value, 0), title: set.map((c) => c.name).join(' | ') };
    }),
  };

  // The root accepts any frame; its description is the document's own.
  const { description: _any, ...frames } = byType(frameTypes, '');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:trustbox-emulator:protocol:${P.PROTOCOL_VERSION}`,
    title: `TrustBox TEE Client API protocol, version ${P.PROTOCOL_VERSION}`,
    description: 'One frame: a msgpack map (standard msgpack, no extensions) sent as one binary WebSocket message. '
      + 'A client sends a hello, then requests (req); the server answers with a welcome, responses (res), errors and events. '
      + 'Each operation has <Operation>Args and <Operation>Result in $defs; bytes are msgpack bin (see $defs/Bytes). '
      + 'docs/protocol.md is the prose.',
    $comment: `Generated by scripts/protocol-schema.ts from ${PROTOCOL_SOURCES.join(' and ')}; do not edit. Regenerate: ${REGENERATE}`,
    ...frames,
    $defs: defs,
  };

  /** Adds, per param type, which fields a parameter of that type carries (PARAM_TYPES). */
  function withParamFields(schema: JsonSchema, way: 'request' | 'result'): JsonSchema {
    return {
      ...schema,
      allOf: P.PARAM_TYPES.map((t) => ({
        if: { properties: { type: { const: t.type } } },
        then: { propertyNames: { enum: ['type', ...t[way]] } },
      })),
    };
  }
}

/** The frame's `type` -> the interface (and the $defs entry) that describes it. */
const FRAME_NAMES = {
  hello: 'HelloFrame', welcome: 'WelcomeFrame', req: 'RequestFrame', res: 'ResponseFrame', error: 'ErrorFrame', event: 'EventFrame',
  rpc: 'RpcFrame', rpcReply: 'RpcReplyFrame',
} as const satisfies Record<keyof typeof P.FRAMES, string>;

/** The schema as committed: with the TSDoc of the sources under `root`, two-space JSON with a final newline. */
export function schemaText(root = repoRoot()): string {
  const docs = new Map<string, string>();
  for (const file of PROTOCOL_SOURCES) readDocs(resolve(root, file), docs);
  return JSON.stringify(buildSchema(docs), null, 2) + '\n';
}

/**
 * A decoded frame in the form the schema validates: each Uint8Array (msgpack bin) becomes
 * `{"$bytes": length}`, since JSON has no bytes. Everything else is kept as it is, `undefined`
 * included, so that a value msgpack cannot carry fails validation.
 */
export function forValidation(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: value.length };
  if (Array.isArray(value)) return value.map(forValidation);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forValidation(v)]));
  }
  return value;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.stdout.write(schemaText());

/**
 * The signed statement: an in-toto Statement v1 (in-toto/attestation spec/v1/statement.md) whose
 * subjects are the delivery's files and whose predicate (`https://provenant.dev/delivery/v1`,
 * DESIGN §3) carries the record roots, counts and delivery metadata. The payload is serialized as
 * RFC 8785 canonical JSON so the same statement always has the same bytes.
 *
 * Everything here that reads a statement treats it as attacker input: it lists every problem with
 * its JSON path, and file paths must be normalized relative POSIX paths.
 */
import { canonicalize, isSha256Hex, parseStrictJson, ProvenantError } from '../core/index.js';
import type { RecordFormat } from '../records/index.js';
import { SealError, type SealErrorCode } from './errors.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const DELIVERY_PREDICATE_TYPE = 'https://provenant.dev/delivery/v1';
/** OpenSSF model-signing (OMS) v1.0 predicate: read for interoperability, never written. */
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
export const SIDECAR_FORMAT = 'provenant-sidecar/v1';

const FORMATS: readonly RecordFormat[] = ['jsonl', 'json', 'csv', 'tsv', 'parquet', 'text'];

export interface DeliveryFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  readonly records: number;
  readonly recordRoot: string;
}

/** Optional delivery metadata, from the --meta JSON file. */
export interface DeliveryMeta {
  /** When the records were collected (RFC 3339 timestamps, start ≤ end). */
  readonly collection?: { readonly start: string; readonly end: string };
  /** Pseudonymous annotator ids with how many records each produced. */
  readonly annotators?: readonly { readonly id: string; readonly records: number }[];
  /** License identifiers (SPDX expressions or LicenseRef-*). */
  readonly licenses?: readonly string[];
  /** The client's task this delivery answers. */
  readonly task?: { readonly id: string; readonly uri?: string; readonly sha256?: string };
  /** Earlier deliveries this one derives from or replaces. */
  readonly parents?: readonly { readonly deliveryId: string; readonly recordRoot?: string }[];
  /** Record schema the vendor declares. */
  readonly schema?: { readonly name: string; readonly version?: string; readonly fields?: readonly string[] };
  readonly description?: string;
}

export interface DeliveryPredicate extends DeliveryMeta {
  readonly vendor: string;
  readonly client: string;
  readonly deliveryId: string;
  readonly files: readonly DeliveryFile[];
  /** RFC 9162 root over all record digests in delivery order (files by path, records in file order). */
  readonly recordRoot: string;
  /** Same tree over the digests sorted bytewise: unchanged by reordering. */
  readonly recordSetRoot: string;
  readonly counts: { readonly files: number; readonly records: number; readonly bytes: number };
  /** --exclude patterns in force when sealing (also applied when verifying). */
  readonly exclude: readonly string[];
  readonly sidecar: { readonly name: string; readonly format: string; readonly size: number; readonly sha256: string };
  readonly tool: { readonly name: string; readonly version: string };
  readonly sealedAt: string;
}

export interface Subject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface InTotoStatement<P = Readonly<Record<string, unknown>>> {
  readonly _type: string;
  readonly subject: readonly Subject[];
  readonly predicateType: string;
  readonly predicate: P;
}

export type DeliveryStatement = InTotoStatement<DeliveryPredicate>;

/** Bytewise order of UTF-8 paths (the delivery order of DESIGN §2). */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Builds the statement for a predicate; subjects mirror predicate.files. */
export function buildStatement(predicate: DeliveryPredicate): DeliveryStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: predicate.files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    predicateType: DELIVERY_PREDICATE_TYPE,
    predicate,
  };
}

/** The exact payload bytes that get signed: RFC 8785 canonical JSON of the statement. */
export function serializeStatement(statement: DeliveryStatement): Buffer {
  return Buffer.from(canonicalize(statement), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Validation

interface Issue {
  readonly code: SealErrorCode;
  readonly path: string;
  readonly message: string;
}

class Issues {
  readonly list: Issue[] = [];
  constructor(private readonly defaultCode: SealErrorCode) {}
  add(path: string, message: string, code: SealErrorCode = this.defaultCode): void {
    this.list.push({ code, path, message });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyPath(base: string, k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${base}.${k}` : `${base}[${JSON.stringify(k)}]`;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], base: string, issues: Issues): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) issues.add(keyPath(base, k), 'unknown key');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(v: unknown, path: string, issues: Issues, max = 256): v is string {
  if (typeof v !== 'string' || v.length === 0) return issues.add(path, 'must be a non-empty string'), false;
  if (v.length > max) return issues.add(path, `must be at most ${max} characters`), false;
  if (CONTROL.test(v)) return issues.add(path, 'must not contain control characters'), false;
  return true;
}

function count(v: unknown, path: string, issues: Issues): v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return issues.add(path, 'must be a non-negative integer'), false;
  return true;
}

function hex(v: unknown, path: string, issues: Issues): v is string {
  if (!isSha256Hex(v)) return issues.add(path, 'must be 64 lowercase hex characters (SHA-256)'), false;
  return true;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function timestamp(v: unknown, path: string, issues: Issues): v is string {
  if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) return issues.add(path, 'must be an RFC 3339 timestamp like 2026-01-31T12:00:00Z'), false;
  return true;
}

/** Delivery ids: short, URL- and file-name-safe. */
export const DELIVERY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Pseudonymous ids only: no '@' or spaces, so an e-mail address or a full name is refused.
const ANNOTATOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Checks that `p` is a normalized relative POSIX path. Returns the problem's code and message, or
 * undefined when the path is safe to join under a delivery root.
 */
export function checkRelativePath(p: unknown): { code: SealErrorCode; message: string } | undefined {
  if (typeof p !== 'string' || p.length === 0) return { code: 'SEAL_PATH_INVALID', message: 'must be a non-empty path' };
  if (p.includes('\0')) return { code: 'SEAL_PATH_INVALID', message: 'contains a NUL character' };
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) return { code: 'SEAL_PATH_ABSOLUTE', message: `${JSON.stringify(p)} is absolute` };
  if (p.split(/[/\\]/).includes('..')) return { code: 'SEAL_PATH_TRAVERSAL', message: `${JSON.stringify(p)} contains a '..' segment` };
  if (p.includes('\\')) return { code: 'SEAL_PATH_INVALID', message: `${JSON.stringify(p)} contains a backslash` };
  if (CONTROL.test(p)) return { code: 'SEAL_PATH_INVALID', message: `${JSON.stringify(p)} contains a control character` };
  const segs = p.split('/');
  if (segs.some((s) => s === '' || s === '.')) return { code: 'SEAL_PATH_INVALID', message: `${JSON.stringify(p)} has an empty or '.' segment` };
  if (p.length > 4096) return { code: 'SEAL_PATH_INVALID', message: 'is longer than 4096 characters' };
  return undefined;
}

function relPath(v: unknown, path: string, issues: Issues): v is string {
  const bad = checkRelativePath(v);
  if (bad) return issues.add(path, bad.message, bad.code), false;
  return true;
}

function validateMeta(o: Record<string, unknown>, base: string, issues: Issues): void {
  if (o['collection'] !== undefined) {
    const c = o['collection'];
    const p = `${base}.collection`;
    if (!isObject(c)) issues.add(p, 'must be an object {start, end}');
    else {
      onlyKeys(c, ['start', 'end'], p, issues);
      const okS = timestamp(c['start'], `${p}.start`, issues);
      const okE = timestamp(c['end'], `${p}.end`, issues);
      if (okS && okE && Date.parse(c['start'] as string) > Date.parse(c['end'] as string)) issues.add(p, 'start is after end');
    }
  }
  if (o['annotators'] !== undefined) {
    const a = o['annotators'];
    const p = `${base}.annotators`;
    if (!Array.isArray(a)) issues.add(p, 'must be an array of {id, records}');
    else {
      const seen = new Set<string>();
      a.forEach((x, i) => {
        const ip = `${p}[${i}]`;
        if (!isObject(x)) return issues.add(ip, 'must be an object {id, records}');
        onlyKeys(x, ['id', 'records'], ip, issues);
        const id = x['id'];
        if (typeof id !== 'string' || !ANNOTATOR_ID_PATTERN.test(id)) issues.add(`${ip}.id`, 'must be a pseudonymous id (letters, digits, . _ : -; no names or e-mail addresses)');
        else if (seen.has(id)) issues.add(`${ip}.id`, `duplicate annotator id ${JSON.stringify(id)}`);
        else seen.add(id);
        count(x['records'], `${ip}.records`, issues);
      });
    }
  }
  if (o['licenses'] !== undefined) {
    const l = o['licenses'];
    const p = `${base}.licenses`;
    if (!Array.isArray(l)) issues.add(p, 'must be an array of license identifiers');
    else l.forEach((x, i) => text(x, `${p}[${i}]`, issues));
  }
  if (o['task'] !== undefined) {
    const t = o['task'];
    const p = `${base}.task`;
    if (!isObject(t)) issues.add(p, 'must be an object {id, uri?, sha256?}');
    else {
      onlyKeys(t, ['id', 'uri', 'sha256'], p, issues);
      text(t['id'], `${p}.id`, issues);
      if (t['uri'] !== undefined) text(t['uri'], `${p}.uri`, issues, 2048);
      if (t['sha256'] !== undefined) hex(t['sha256'], `${p}.sha256`, issues);
    }
  }
  if (o['parents'] !== undefined) {
    const a = o['parents'];
    const p = `${base}.parents`;
    if (!Array.isArray(a)) issues.add(p, 'must be an array of {deliveryId, recordRoot?}');
    else
      a.forEach((x, i) => {
        const ip = `${p}[${i}]`;
        if (!isObject(x)) return issues.add(ip, 'must be an object {deliveryId, recordRoot?}');
        onlyKeys(x, ['deliveryId', 'recordRoot'], ip, issues);
        if (typeof x['deliveryId'] !== 'string' || !DELIVERY_ID_PATTERN.test(x['deliveryId'])) issues.add(`${ip}.deliveryId`, 'must be a delivery id (letters, digits, . _ : -)');
        if (x['recordRoot'] !== undefined) hex(x['recordRoot'], `${ip}.recordRoot`, issues);
      });
  }
  if (o['schema'] !== undefined) {
    const s = o['schema'];
    const p = `${base}.schema`;
    if (!isObject(s)) issues.add(p, 'must be an object {name, version?, fields?}');
    else {
      onlyKeys(s, ['name', 'version', 'fields'], p, issues);
      text(s['name'], `${p}.name`, issues);
      if (s['version'] !== undefined) text(s['version'], `${p}.version`, issues);
      if (s['fields'] !== undefined) {
        if (!Array.isArray(s['fields'])) issues.add(`${p}.fields`, 'must be an array of field names');
        else s['fields'].forEach((f, i) => text(f, `${p}.fields[${i}]`, issues));
      }
    }
  }
  if (o['description'] !== undefined) {
    const d = o['description'];
    if (typeof d !== 'string' || d.length > 4096) issues.add(`${base}.description`, 'must be a string of at most 4096 characters');
  }
}

const META_KEYS = ['collection', 'annotators', 'licenses', 'task', 'parents', 'schema', 'description'] as const;

/**
 * Validates a --meta document (text or parsed value). Unknown keys and wrong values are rejected
 * with one SEAL_META_INVALID error (kind 'input') that lists every issue with its JSON path.
 */
export function parseMeta(input: string | unknown, file = '<meta>'): DeliveryMeta {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = parseStrictJson(input, { location: { file } });
    } catch (err) {
      throw new SealError('SEAL_META_INVALID', `${file}: ${err instanceof ProvenantError ? err.oneLine() : String(err)}`, { location: { file }, cause: err });
    }
  }
  const issues = new Issues('SEAL_META_INVALID');
  if (!isObject(value)) issues.add('$', 'must be a JSON object');
  else {
    onlyKeys(value, META_KEYS, '$', issues);
    validateMeta(value, '$', issues);
  }
  if (issues.list.length > 0) {
    throw new SealError('SEAL_META_INVALID', `${file} is not valid delivery metadata: ${issues.list.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
      location: { file, path: issues.list[0]?.path ?? '$' },
      details: { issues: issues.list.map((i) => ({ path: i.path, message: i.message })) },
    });
  }
  return value as DeliveryMeta;
}

const CODE_PRIORITY: readonly SealErrorCode[] = [
  'SEAL_PATH_TRAVERSAL',
  'SEAL_PATH_ABSOLUTE',
  'SEAL_PATH_INVALID',
  'SEAL_STATEMENT_SUBJECT_MISMATCH',
  'SEAL_STATEMENT_INVALID',
];

function fail(issues: Issues, what: string): never {
  const sorted = [...issues.list].sort((a, b) => CODE_PRIORITY.indexOf(a.code) - CODE_PRIORITY.indexOf(b.code));
  const first = sorted[0] as Issue;
  throw new SealError(first.code, `${what}: ${sorted.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
    kind: 'verification',
    location: { file: 'statement', path: first.path },
    details: { issues: sorted.map((i) => ({ code: i.code, path: i.path, message: i.message })) },
  });
}

/** Decodes and strictly parses a DSSE payload as JSON (UTF-8, no duplicate keys). */
export function parsePayloadJson(payload: Uint8Array): unknown {
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(payload);
  } catch (err) {
    throw new SealError('SEAL_PAYLOAD_JSON', 'the signed payload is not valid UTF-8', { kind: 'verification', location: { file: 'statement' }, cause: err });
  }
  try {
    return parseStrictJson(textValue, { location: { file: 'statement' } });
  } catch (err) {
    const dup = err instanceof ProvenantError && err.code === 'JSON_DUPLICATE_KEY';
    throw new SealError(dup ? 'SEAL_PAYLOAD_DUPLICATE_KEY' : 'SEAL_PAYLOAD_JSON', `the signed payload is not strict JSON: ${err instanceof ProvenantError ? err.oneLine() : String(err)}`, {
      kind: 'verification',
      location: err instanceof ProvenantError && err.location ? err.location : { file: 'statement' },
      cause: err,
    });
  }
}

/**
 * Parses an in-toto Statement v1 from payload bytes and checks its `_type`
 * (SEAL_STATEMENT_TYPE), its predicateType against `predicateTypes` (SEAL_PREDICATE_TYPE) and the
 * statement layer's shape (SEAL_STATEMENT_INVALID). The predicate itself is not validated here.
 */
export function parseInTotoStatement(payload: Uint8Array, predicateTypes: readonly string[]): InTotoStatement {
  const doc = parsePayloadJson(payload);
  if (!isObject(doc)) throw new SealError('SEAL_STATEMENT_TYPE', 'the signed payload is not a JSON object, so not an in-toto Statement', { kind: 'verification', location: { file: 'statement', path: '$' } });
  if (doc['_type'] !== STATEMENT_TYPE) {
    throw new SealError('SEAL_STATEMENT_TYPE', `the payload _type is ${JSON.stringify(doc['_type'] ?? null)}, expected ${JSON.stringify(STATEMENT_TYPE)}`, {
      kind: 'verification',
      location: { file: 'statement', path: '$._type' },
    });
  }
  if (typeof doc['predicateType'] !== 'string' || !predicateTypes.includes(doc['predicateType'])) {
    throw new SealError('SEAL_PREDICATE_TYPE', `the statement predicateType is ${JSON.stringify(doc['predicateType'] ?? null)}, expected ${predicateTypes.map((t) => JSON.stringify(t)).join(' or ')}`, {
      kind: 'verification',
      location: { file: 'statement', path: '$.predicateType' },
    });
  }
  const issues = new Issues('SEAL_STATEMENT_INVALID');
  onlyKeys(doc, ['_type', 'subject', 'predicateType', 'predicate'], '$', issues);
  const subject = doc['subject'];
  // statement.md: subject is a non-empty list of ResourceDescriptors; we require name + digest.
  if (!Array.isArray(subject) || subject.length === 0) issues.add('$.subject', 'must be a non-empty array');
  else
    subject.forEach((s, i) => {
      const p = `$.subject[${i}]`;
      if (!isObject(s)) return issues.add(p, 'must be an object');
      if (typeof s['name'] !== 'string') issues.add(`${p}.name`, 'must be a string');
      const d = s['digest'];
      if (!isObject(d) || Object.keys(d).length === 0) issues.add(`${p}.digest`, 'must be a non-empty object of algorithm → hex digest');
      else for (const [alg, v] of Object.entries(d)) if (typeof v !== 'string' || !/^[0-9a-fA-F]+$/.test(v)) issues.add(keyPath(`${p}.digest`, alg), 'must be a hex string');
    });
  if (doc['predicate'] !== undefined && !isObject(doc['predicate'])) issues.add('$.predicate', 'must be an object');
  if (issues.list.length > 0) fail(issues, 'the statement is malformed');
  return doc as unknown as InTotoStatement;
}

const PREDICATE_KEYS = ['vendor', 'client', 'deliveryId', 'files', 'recordRoot', 'recordSetRoot', 'counts', 'exclude', 'sidecar', 'tool', 'sealedAt', ...META_KEYS];

/**
 * Parses and fully validates a Provenant delivery statement from (attacker-controlled) payload
 * bytes: in-toto layer, predicate shape, safe relative paths, sorted unique files, consistent
 * counts, and subjects equal to the predicate's file list.
 */
export function parseDeliveryStatement(payload: Uint8Array): DeliveryStatement {
  const st = parseInTotoStatement(payload, [DELIVERY_PREDICATE_TYPE]);
  const issues = new Issues('SEAL_STATEMENT_INVALID');
  const pr = st.predicate as unknown;
  const base = '$.predicate';
  if (!isObject(pr)) {
    issues.add(base, 'must be an object');
    fail(issues, 'the delivery statement is invalid');
  }
  onlyKeys(pr, PREDICATE_KEYS, base, issues);
  text(pr['vendor'], `${base}.vendor`, issues);
  text(pr['client'], `${base}.client`, issues);
  if (typeof pr['deliveryId'] !== 'string' || !DELIVERY_ID_PATTERN.test(pr['deliveryId'])) issues.add(`${base}.deliveryId`, 'must be a delivery id (letters, digits, . _ : -)');
  hex(pr['recordRoot'], `${base}.recordRoot`, issues);
  hex(pr['recordSetRoot'], `${base}.recordSetRoot`, issues);
  timestamp(pr['sealedAt'], `${base}.sealedAt`, issues);

  const files = pr['files'];
  let sumRecords = 0;
  let sumBytes = 0;
  if (!Array.isArray(files) || files.length === 0) issues.add(`${base}.files`, 'must be a non-empty array');
  else {
    let prev: string | undefined;
    files.forEach((f, i) => {
      const p = `${base}.files[${i}]`;
      if (!isObject(f)) return issues.add(p, 'must be an object');
      onlyKeys(f, ['path', 'size', 'sha256', 'format', 'gzip', 'records', 'recordRoot'], p, issues);
      if (relPath(f['path'], `${p}.path`, issues)) {
        const path = f['path'];
        if (prev !== undefined && comparePaths(prev, path) >= 0) issues.add(`${p}.path`, `files must be sorted by path bytewise and unique (${JSON.stringify(path)} after ${JSON.stringify(prev)})`);
        prev = path;
      }
      if (count(f['size'], `${p}.size`, issues)) sumBytes += f['size'];
      hex(f['sha256'], `${p}.sha256`, issues);
      if (!FORMATS.includes(f['format'] as RecordFormat)) issues.add(`${p}.format`, `must be one of ${FORMATS.join(', ')}`);
      if (typeof f['gzip'] !== 'boolean') issues.add(`${p}.gzip`, 'must be a boolean');
      if (count(f['records'], `${p}.records`, issues)) sumRecords += f['records'];
      hex(f['recordRoot'], `${p}.recordRoot`, issues);
    });
  }
  const counts = pr['counts'];
  if (!isObject(counts)) issues.add(`${base}.counts`, 'must be an object {files, records, bytes}');
  else {
    onlyKeys(counts, ['files', 'records', 'bytes'], `${base}.counts`, issues);
    if (count(counts['files'], `${base}.counts.files`, issues) && Array.isArray(files) && counts['files'] !== files.length) issues.add(`${base}.counts.files`, `says ${counts['files']} but ${files.length} files are listed`);
    if (count(counts['records'], `${base}.counts.records`, issues) && counts['records'] !== sumRecords) issues.add(`${base}.counts.records`, `says ${counts['records']} but the files hold ${sumRecords}`);
    if (count(counts['bytes'], `${base}.counts.bytes`, issues) && counts['bytes'] !== sumBytes) issues.add(`${base}.counts.bytes`, `says ${counts['bytes']} but the files sum to ${sumBytes}`);
  }
  const exclude = pr['exclude'];
  if (!Array.isArray(exclude)) issues.add(`${base}.exclude`, 'must be an array of patterns');
  else exclude.forEach((x, i) => {
    // Same rule as walk.compileExcludes: relative POSIX patterns only.
    if (typeof x !== 'string' || x.length === 0 || x.length > 4096 || x.includes('\0') || x.startsWith('/') || x.includes('\\')) {
      issues.add(`${base}.exclude[${i}]`, 'must be a non-empty relative POSIX pattern');
    }
  });
  const sc = pr['sidecar'];
  if (!isObject(sc)) issues.add(`${base}.sidecar`, 'must be an object {name, format, size, sha256}');
  else {
    onlyKeys(sc, ['name', 'format', 'size', 'sha256'], `${base}.sidecar`, issues);
    if (typeof sc['name'] !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(sc['name'])) issues.add(`${base}.sidecar.name`, 'must be a plain file name');
    if (sc['format'] !== SIDECAR_FORMAT) issues.add(`${base}.sidecar.format`, `must be ${JSON.stringify(SIDECAR_FORMAT)}`);
    count(sc['size'], `${base}.sidecar.size`, issues);
    hex(sc['sha256'], `${base}.sidecar.sha256`, issues);
  }
  const tool = pr['tool'];
  if (!isObject(tool)) issues.add(`${base}.tool`, 'must be an object {name, version}');
  else {
    onlyKeys(tool, ['name', 'version'], `${base}.tool`, issues);
    text(tool['name'], `${base}.tool.name`, issues);
    text(tool['version'], `${base}.tool.version`, issues);
  }
  validateMeta(pr, base, issues);

  // Subjects must be exactly the predicate's files (same order, names and digests): a verifier
  // that reads only the subjects must not see a different delivery than one that reads the files.
  if (Array.isArray(files) && Array.isArray(st.subject)) {
    if (st.subject.length !== files.length) issues.add('$.subject', `lists ${st.subject.length} files but the predicate lists ${files.length}`, 'SEAL_STATEMENT_SUBJECT_MISMATCH');
    st.subject.forEach((s, i) => {
      const f: unknown = files[i];
      if (!isObject(f)) return;
      if (s.name !== f['path']) issues.add(`$.subject[${i}].name`, `is ${JSON.stringify(s.name)} but the predicate file is ${JSON.stringify(f['path'])}`, 'SEAL_STATEMENT_SUBJECT_MISMATCH');
      const keys = Object.keys(s.digest);
      if (keys.length !== 1 || s.digest['sha256'] !== f['sha256']) issues.add(`$.subject[${i}].digest`, 'must be exactly {sha256} equal to the predicate file sha256', 'SEAL_STATEMENT_SUBJECT_MISMATCH');
    });
  }
  if (issues.list.length > 0) fail(issues, 'the delivery statement is invalid');
  return st as unknown as DeliveryStatement;
}

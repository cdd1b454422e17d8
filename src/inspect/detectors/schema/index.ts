/**
 * schema detector: records that do not fit the delivery's own shape.
 *
 * Per record (decided from its features alone): `non-object-record`, `empty-record` ({} or only
 * empty strings/nulls), `empty-role-field` (a prompt/response/chosen/rejected/text role whose
 * fields are all blank).
 * Across the delivery (the majority is the reference, so no schema needs to be supplied):
 * `inconsistent-type` (a key holding another JSON type than in most records; null counts as
 * absent), `missing-role-field` / `missing-key` (a key nearly every record has is absent),
 * `unexpected-key` (a key only a small minority of records carry, as planted records often do).
 * Duplicate keys inside a record never reach this detector: the record reader refuses them as a
 * hard input error (core parseStrictJson, JSON_DUPLICATE_KEY), because two parties could read
 * such a record differently.
 */
import { memberPath, recordLayout } from '../../fields/index.js';
import type { DatasetDetector, FeatureList, FieldRole, Finding, FindingLocation, RecordRef, RecordView, Severity } from '../../types.js';

/** Options of the schema detector. */
export interface SchemaDetectorOptions {
  /** Below this many object records the cross-record rules stay silent (default 20). */
  readonly minRecords?: number;
  /** Records deviating from the majority are reported one by one while they are at most this share (default 0.2). */
  readonly minorityShare?: number;
  /** A key carried by at most this share of records is unexpected (default 0.05). */
  readonly rareKeyShare?: number;
  /** At most this many findings per rule; the last notes how many more (default 1000). */
  readonly maxPerRule?: number;
}

/** Compact per-record features (structured-cloneable). */
export interface SchemaFeatures {
  /** JSON kind of the record: o object, a array, s string, n number, b boolean, z null. */
  readonly kind: string;
  /** Top-level keys (the first 256), in record order. */
  readonly keys: readonly string[];
  /** One kind letter per key, as for `kind`. */
  readonly types: string;
  /** Top-level keys that carry a field role (from the record's text fields). */
  readonly roleKeys: readonly string[];
  /** Roles whose fields are all blank. */
  readonly emptyRoles: readonly string[];
  /** `{}`, or nothing but empty strings and nulls. */
  readonly empty: boolean;
  readonly layout: string;
}

/** Rule ids of the schema detector. */
export type SchemaRule =
  | 'non-object-record'
  | 'empty-record'
  | 'empty-role-field'
  | 'inconsistent-type'
  | 'missing-role-field'
  | 'missing-key'
  | 'unexpected-key';

const MAX_KEYS = 256;
const CHECKED_ROLES: ReadonlySet<FieldRole> = new Set(['prompt', 'response', 'chosen', 'rejected', 'text']);
const KIND_NAME: Readonly<Record<string, string>> = { o: 'object', a: 'array', s: 'string', n: 'number', b: 'boolean', z: 'null' };

/** Creates the `schema` dataset detector. */
export function createSchemaDetector(options: SchemaDetectorOptions = {}): DatasetDetector<SchemaFeatures> {
  const minRecords = options.minRecords ?? 20;
  const minorityShare = options.minorityShare ?? 0.2;
  const rareKeyShare = options.rareKeyShare ?? 0.05;
  const maxPerRule = options.maxPerRule ?? 1000;
  return {
    id: 'schema',
    kind: 'dataset',
    features: (view) => schemaFeatures(view),
    reduce(items) {
      const out = new Collector(maxPerRule);
      perRecord(items, out);
      crossRecord(items, out, minRecords, minorityShare, rareKeyShare);
      return out.finish();
    },
  };
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/**
 * The last record's key list, type letters and role keys: records of a delivery mostly share one
 * shape, so consecutive records with the same shape share these (less to allocate, clone and hold,
 * and the reduce step handles a shape once).
 */
let lastKeys: readonly string[] = NO_STRINGS;
let lastTypes = '';
let lastRoleKeys: readonly string[] = NO_STRINGS;

/** Top-level key of each field path seen (bounded cache: paths repeat across records). */
const TOP_KEYS = new Map<string, string | undefined>();

function cachedTopKey(path: string): string | undefined {
  let k = TOP_KEYS.get(path);
  if (k === undefined && !TOP_KEYS.has(path)) {
    k = topKey(path);
    if (TOP_KEYS.size >= 20_000) TOP_KEYS.clear();
    TOP_KEYS.set(path, k);
  }
  return k;
}

/** The features of one record (exported for tests and for sharded runs). */
export function schemaFeatures(view: RecordView): SchemaFeatures {
  const v = view.value;
  const kind = kindOf(v);
  let roleKeys: string[] | undefined;
  let emptyRoles: FieldRole[] | undefined;
  let nonBlank: FieldRole[] | undefined;
  for (const f of view.fields) {
    const role = f.role;
    if (role === undefined) continue;
    const k = cachedTopKey(f.path);
    if (k !== undefined && !(roleKeys ??= []).includes(k)) roleKeys.push(k);
    if (!CHECKED_ROLES.has(role) || nonBlank?.includes(role)) continue;
    // Roles in first-seen order; a role is empty while none of its fields has non-blank text.
    const at = emptyRoles?.indexOf(role) ?? -1;
    if (isBlank(f.text)) {
      if (at < 0) (emptyRoles ??= []).push(role);
    } else {
      if (at >= 0) (emptyRoles as FieldRole[]).splice(at, 1);
      (nonBlank ??= []).push(role);
    }
  }
  if (kind !== 'o') return { kind, keys: NO_STRINGS, types: '', roleKeys: NO_STRINGS, emptyRoles: NO_STRINGS, empty: false, layout: 'unknown' };
  const obj = v as Record<string, unknown>;
  // Same keys and types as the last record? Then share its lists.
  let n = 0;
  let same = true;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    if (n >= MAX_KEYS) break;
    if (lastKeys[n] !== k || lastTypes.charCodeAt(n) !== kindCode(obj[k])) {
      same = false;
      break;
    }
    n++;
  }
  if (!same || n !== lastKeys.length) {
    const keys: string[] = [];
    let types = '';
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue;
      if (keys.length >= MAX_KEYS) break;
      keys.push(k);
      types += kindOf(obj[k]);
    }
    lastKeys = keys;
    lastTypes = types;
  }
  let rk: readonly string[] = roleKeys ?? NO_STRINGS;
  if (rk.length === lastRoleKeys.length && rk.every((k, i) => lastRoleKeys[i] === k)) rk = lastRoleKeys;
  else lastRoleKeys = rk;
  // Roles may also come from overrides (view.fields); a bare record still gets its layout.
  return { kind, keys: lastKeys, types: lastTypes, roleKeys: rk, emptyRoles: emptyRoles ?? NO_STRINGS, empty: !hasContent(v, 0), layout: recordLayout(v) };
}

/** `s.trim() === ''`, without the copy for the usual text that starts with a printable ASCII character. */
function isBlank(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c > 0x20 && c < 0x7f) return false;
  return s.trim() === '';
}

const KIND_CODES: Readonly<Record<string, number>> = { o: 0x6f, a: 0x61, s: 0x73, n: 0x6e, b: 0x62, z: 0x7a };

/** The char code of kindOf(v). */
function kindCode(v: unknown): number {
  return KIND_CODES[kindOf(v)] as number;
}

function kindOf(v: unknown): string {
  if (v === null) return 'z';
  if (Array.isArray(v)) return 'a';
  switch (typeof v) {
    case 'object':
      return 'o';
    case 'string':
      return 's';
    case 'number':
    case 'bigint':
      return 'n';
    case 'boolean':
      return 'b';
    default:
      return 'z';
  }
}

function hasContent(v: unknown, depth: number): boolean {
  if (typeof v === 'string') return !isBlank(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object' || depth > 600) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasContent(v[i], depth + 1)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) if (Object.hasOwn(o, k) && hasContent(o[k], depth + 1)) return true;
  return false;
}

/** The top-level key of a JSON path (`$.a.b` → a, `$["x y"][0]` → x y). */
export function topKey(path: string): string | undefined {
  if (path.startsWith('$.')) {
    let e = 2;
    while (e < path.length && path[e] !== '.' && path[e] !== '[') e++;
    return path.slice(2, e);
  }
  if (path.startsWith('$["')) {
    for (let e = 3; e < path.length; e++) {
      if (path[e] === '\\') e++;
      else if (path[e] === '"') {
        try {
          return JSON.parse(path.slice(2, e + 1)) as string;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------


class Collector {
  private readonly findings: Finding[] = [];
  private readonly counts = new Map<SchemaRule, number>();
  constructor(private readonly maxPerRule: number) {}

  add(ref: RecordRef, rule: SchemaRule, severity: Severity, confidence: number, message: string, data: Record<string, unknown>, field?: string): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n > this.maxPerRule) return;
    const location: FindingLocation = {
      file: ref.file,
      index: ref.index,
      ...(ref.line !== undefined ? { line: ref.line } : {}),
      ...(ref.row !== undefined ? { row: ref.row } : {}),
      ...(field !== undefined ? { field } : {}),
    };
    this.findings.push({ detector: 'schema', rule, severity, confidence, location, message, data });
  }

  finish(): Finding[] {
    const f = this.findings;
    f.sort((a, b) => cmp(a.location.file, b.location.file) || a.location.index - b.location.index || cmp(a.rule, b.rule) || cmp(a.location.field ?? '', b.location.field ?? ''));
    for (const [rule, n] of this.counts) {
      if (n <= this.maxPerRule) continue;
      const i = f.findLastIndex((x) => x.rule === rule);
      const last = f[i];
      if (last) f[i] = { ...last, data: { ...last.data, moreRecords: n - this.maxPerRule } };
    }
    return f;
  }
}

function perRecord(items: FeatureList<SchemaFeatures>, out: Collector): void {
  items.scan((f, ord) => {
    if (f.kind === 'o' && !f.empty && f.emptyRoles.length === 0) return;
    const ref = items.ref(ord);
    if (f.kind !== 'o') {
      out.add(ref, 'non-object-record', 'medium', 0.9, `record is a JSON ${KIND_NAME[f.kind] ?? f.kind}, not an object; training records are objects with named fields`, { kind: KIND_NAME[f.kind] ?? f.kind });
      return;
    }
    if (f.empty) {
      out.add(ref, 'empty-record', 'medium', 0.9, f.keys.length === 0 ? 'record is an empty object' : `record has ${f.keys.length} field(s) but all are empty`, { keys: f.keys.length });
      return;
    }
    if (f.emptyRoles.length > 0) {
      out.add(ref, 'empty-role-field', 'medium', 0.85, `record has an empty ${f.emptyRoles.join(' and ')}`, { roles: f.emptyRoles });
    }
  });
}

/**
 * One list object per distinct content: records of a shard share their lists, but each block
 * read back from the spill has its own copies. Looked up by identity first (a small cache).
 */
class Lists {
  private readonly byContent = new Map<string, readonly string[]>();
  private readonly byIdentity = new Map<readonly string[], readonly string[]>();
  of(list: readonly string[]): readonly string[] {
    const hit = this.byIdentity.get(list);
    if (hit) return hit;
    const key = list.join('\u0000');
    let canon = this.byContent.get(key);
    if (!canon) this.byContent.set(key, (canon = list));
    if (this.byIdentity.size >= 50_000) this.byIdentity.clear();
    this.byIdentity.set(list, canon);
    return canon;
  }
}

interface Shape {
  readonly keys: readonly string[];
  readonly types: string;
  readonly roleKeys: readonly string[];
  count: number;
  clean: boolean;
}

function crossRecord(items: FeatureList<SchemaFeatures>, out: Collector, minRecords: number, minorityShare: number, rareKeyShare: number): void {
  const isObject = (f: SchemaFeatures): boolean => f.kind === 'o' && !f.empty;

  // Records of one shape (same key list, types and role keys) are counted once per shape, in
  // order of each shape's first record (so every map keeps the insertion order a
  // record-by-record count would give). Memory grows with distinct shapes, not records.
  const shapes: Shape[] = [];
  const lists = new Lists();
  const byKeys = new Map<readonly string[], Map<string, Map<readonly string[], Shape>>>();
  const shapeOf = (f: SchemaFeatures): Shape => {
    const keys = lists.of(f.keys);
    const roleKeys = lists.of(f.roleKeys);
    let byTypes = byKeys.get(keys);
    if (!byTypes) byKeys.set(keys, (byTypes = new Map()));
    let byRole = byTypes.get(f.types);
    if (!byRole) byTypes.set(f.types, (byRole = new Map()));
    let shape = byRole.get(roleKeys);
    if (!shape) {
      shape = { keys, types: f.types, roleKeys, count: 0, clean: false };
      byRole.set(roleKeys, shape);
      shapes.push(shape);
    }
    return shape;
  };
  let n = 0;
  items.scan((f) => {
    if (!isObject(f)) return;
    n++;
    shapeOf(f).count++;
  });
  if (n < minRecords) return;

  // Per key: how many records carry it, with which types, and as a role field.
  const present = new Map<string, number>();
  const asRole = new Map<string, number>();
  const typeCounts = new Map<string, Map<string, number>>();
  for (const f of shapes) {
    const c = f.count;
    for (let k = 0; k < f.keys.length; k++) {
      const key = f.keys[k] as string;
      present.set(key, (present.get(key) ?? 0) + c);
      const t = f.types[k] ?? 'z';
      if (t === 'z') continue;
      let m = typeCounts.get(key);
      if (!m) typeCounts.set(key, (m = new Map()));
      m.set(t, (m.get(t) ?? 0) + c);
    }
    for (const key of f.roleKeys) asRole.set(key, (asRole.get(key) ?? 0) + c);
  }

  // Majority type per key, when the key's types disagree.
  const majority = new Map<string, { type: string; count: number; total: number }>();
  for (const [key, m] of typeCounts) {
    if (m.size < 2) continue;
    let best = '';
    let bestN = -1;
    let total = 0;
    for (const [t, c] of [...m].sort((a, b) => cmp(a[0], b[0]))) {
      total += c;
      if (c > bestN) {
        best = t;
        bestN = c;
      }
    }
    majority.set(key, { type: best, count: bestN, total });
  }
  const mixedReported = new Set<string>();

  // Keys nearly every record has, and keys only a few have.
  const expected: string[] = [];
  const rare = new Set<string>();
  for (const [key, c] of present) {
    if (c < n && c >= (1 - minorityShare) * n) expected.push(key);
    if (c <= rareKeyShare * n) rare.add(key);
  }
  expected.sort(cmp);

  // A shape with no key of a minority type, no rare key and every expected key yields nothing.
  for (const shape of shapes) {
    let clean = true;
    for (let k = 0; k < shape.keys.length && clean; k++) {
      const key = shape.keys[k] as string;
      const t = shape.types[k] ?? 'z';
      const maj = majority.get(key);
      if ((maj && t !== 'z' && t !== maj.type) || rare.has(key)) clean = false;
    }
    for (const key of expected) if (clean && !shape.keys.includes(key)) clean = false;
    shape.clean = clean;
  }

  items.scan((f, ord) => {
    if (!isObject(f) || shapeOf(f).clean) return;
    const ref = items.ref(ord);
    for (let k = 0; k < f.keys.length; k++) {
      const key = f.keys[k] as string;
      const t = f.types[k] ?? 'z';
      const maj = majority.get(key);
      if (maj && t !== 'z' && t !== maj.type) {
        const share = 1 - maj.count / maj.total;
        const field = memberPath('$', key);
        if (share <= minorityShare) {
          out.add(ref, 'inconsistent-type', 'medium', 0.8, `field ${JSON.stringify(key)} is a ${KIND_NAME[t]} here but a ${KIND_NAME[maj.type]} in ${pct(maj.count / maj.total)} of records`, { key, type: KIND_NAME[t], expected: KIND_NAME[maj.type], majorityShare: round(maj.count / maj.total) }, field);
        } else if (!mixedReported.has(key)) {
          mixedReported.add(key);
          out.add(ref, 'inconsistent-type', 'low', 0.6, `field ${JSON.stringify(key)} has mixed types across records (${describe(typeCounts.get(key))})`, { key, types: Object.fromEntries([...(typeCounts.get(key) ?? [])].map(([x, c]) => [KIND_NAME[x] ?? x, c])) }, field);
        }
      }
      if (rare.has(key)) {
        out.add(ref, 'unexpected-key', 'low', 0.5, `field ${JSON.stringify(key)} appears in only ${present.get(key)} of ${n} records`, { key, records: present.get(key) ?? 0 }, memberPath('$', key));
      }
    }
    if (expected.length > 0) {
      const have = new Set(f.keys);
      for (const key of expected) {
        if (have.has(key)) continue;
        const role = (asRole.get(key) ?? 0) * 2 > (present.get(key) ?? 0);
        const share = pct((present.get(key) ?? 0) / n);
        if (role) out.add(ref, 'missing-role-field', 'medium', 0.85, `role field ${JSON.stringify(key)} is missing; ${share} of records have it`, { key, layout: f.layout });
        else out.add(ref, 'missing-key', 'low', 0.6, `field ${JSON.stringify(key)} is missing; ${share} of records have it`, { key });
      }
    }
  });
}

function describe(m: Map<string, number> | undefined): string {
  return [...(m ?? [])].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([t, c]) => `${KIND_NAME[t] ?? t} ${c}`).join(', ');
}

function pct(x: number): string {
  return `${Math.floor(x * 1000) / 10}%`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

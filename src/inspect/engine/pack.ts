/**
 * Packing of a shard's dataset features for the trip to the reducer and the spill. Detectors'
 * features are mostly typed arrays, alone or in plain objects (MinHash sketches, poisoning n-gram
 * ids), or small plain objects whose values repeat from record to record (schema key lists, field
 * paths). Cloned one by one, each is a separate object to serialise in the worker, to write to and
 * read back from the spill (once per reduce pass) and to track in the heap. Packed, every
 * typed-array column of a shard is one buffer (moved between threads without a copy) and the
 * records get views into it; other property values are stored once per distinct value (or object)
 * with an Int32 id per record. Top-level values of any other shape (strings, arrays, class
 * instances) are passed on unpacked, so packing never changes what a detector receives beyond
 * that: equal values, keys in their order, shared objects still shared, typed arrays as views.
 */

import { deserialize, serialize } from 'node:v8';

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const CTORS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type CtorName = keyof typeof CTORS;

/** The values of one typed-array column, concatenated; record i's array is data[at[i] .. at[i] + len[i]), at -1 when absent. */
interface Column {
  readonly ctor: CtorName;
  readonly data: TypedArray;
  readonly at: Int32Array;
  readonly len: Int32Array;
}

/**
 * Record i's other property values of one key: `dict[ids[i]]`, -1 when record i has none. Equal
 * primitives and the same object share one entry, so values repeated across records (field paths,
 * key lists a detector shares between records) are stored and cloned once per shard.
 */
interface ValueColumn {
  readonly ids: Int32Array;
  readonly dict: unknown[];
}

/** A shard's features of one detector, packed (structured-cloneable; `buffers` can be transferred). */
export interface PackedFeatures {
  readonly packed: 1;
  readonly count: number;
  /** Per record: 0 undefined, 1 a typed array (column `whole`), 2 an object (shape `shape[i]`). */
  readonly kind: Uint8Array;
  readonly whole?: Column;
  /** Own keys of each object shape, in order. */
  readonly shapes: string[][];
  readonly shape: Int32Array;
  /** Typed-array properties by key. */
  readonly columns: Record<string, Column>;
  /** Other properties by key. */
  readonly values: Record<string, ValueColumn>;
}

function ctorName(v: unknown): CtorName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = (v as TypedArray).constructor.name;
  return Object.hasOwn(CTORS, name) && (v as TypedArray).constructor === CTORS[name as CtorName] ? (name as CtorName) : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

class ColumnBuilder {
  private parts: TypedArray[] = [];
  private size = 0;
  readonly at: Int32Array;
  readonly len: Int32Array;
  constructor(
    readonly ctor: CtorName,
    count: number,
  ) {
    this.at = new Int32Array(count).fill(-1);
    this.len = new Int32Array(count);
  }
  push(i: number, a: TypedArray): void {
    this.at[i] = this.size;
    this.len[i] = a.length;
    this.parts.push(a);
    this.size += a.length;
  }
  build(): Column {
    const data = new CTORS[this.ctor](this.size) as TypedArray;
    let o = 0;
    for (const p of this.parts) {
      (data as Uint8Array).set(p as Uint8Array, o);
      o += p.length;
    }
    return { ctor: this.ctor, data, at: this.at, len: this.len };
  }
}

/** -0 is its own dictionary entry (a Map key would merge it with 0). */
const NEG_ZERO = Symbol('-0');

class ValueBuilder {
  readonly ids: Int32Array;
  private readonly dict: unknown[] = [];
  private readonly index = new Map<unknown, number>();
  constructor(count: number) {
    this.ids = new Int32Array(count).fill(-1);
  }
  push(i: number, v: unknown): void {
    const key = v === 0 && Object.is(v, -0) ? NEG_ZERO : v;
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.dict.length;
      this.dict.push(v);
      this.index.set(key, id);
    }
    this.ids[i] = id;
  }
  build(): ValueColumn {
    return { ids: this.ids, dict: this.dict };
  }
}

/** Packs one detector's features of a shard; returns them unchanged when their shape does not pack. */
export function packFeatures(values: readonly unknown[]): PackedFeatures | readonly unknown[] {
  const n = values.length;
  if (n === 0) return values;
  const kind = new Uint8Array(n);
  const shape = new Int32Array(n).fill(-1);
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const columns = new Map<string, ColumnBuilder>();
  const others = new Map<string, ValueBuilder>();
  let whole: ColumnBuilder | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined) continue;
    const c = ctorName(v);
    if (c !== undefined) {
      whole ??= new ColumnBuilder(c, n);
      if (whole.ctor !== c) return values;
      whole.push(i, v as TypedArray);
      kind[i] = 1;
      continue;
    }
    if (!isPlainObject(v)) return values;
    const keys = Object.keys(v);
    if (keys.includes('__proto__')) return values;
    // JSON of the key list: unambiguous, whatever characters the keys hold.
    const sig = JSON.stringify(keys);
    let id = shapeIds.get(sig);
    if (id === undefined) {
      id = shapes.length;
      shapeIds.set(sig, id);
      shapes.push(keys);
    }
    kind[i] = 2;
    shape[i] = id;
    for (const k of keys) {
      const x = v[k];
      const kc = ctorName(x);
      if (kc === undefined) {
        let vals = others.get(k);
        if (!vals) others.set(k, (vals = new ValueBuilder(n)));
        vals.push(i, x);
        continue;
      }
      let col = columns.get(k);
      if (!col) columns.set(k, (col = new ColumnBuilder(kc, n)));
      if (col.ctor !== kc) return values;
      col.push(i, x as TypedArray);
    }
  }
  return {
    packed: 1,
    count: n,
    kind,
    ...(whole ? { whole: whole.build() } : {}),
    shapes,
    shape,
    columns: Object.fromEntries([...columns].map(([k, b]) => [k, b.build()])),
    values: Object.fromEntries([...others].map(([k, b]) => [k, b.build()])),
  };
}

export function isPacked(f: unknown): f is PackedFeatures {
  return typeof f === 'object' && f !== null && (f as { packed?: unknown }).packed === 1;
}

function view(c: Column, i: number): TypedArray {
  const at = c.at[i] as number;
  return c.data.subarray(at, at + (c.len[i] as number)) as TypedArray;
}

/** The features back, one per record (typed arrays as views into the packed buffers). */
export function unpackFeatures(p: PackedFeatures): unknown[] {
  const out = new Array<unknown>(p.count);
  // Per shape, each key's typed column and value column (own properties only: a key named like an
  // Object.prototype member is not a column).
  const plans = p.shapes.map((keys) => keys.map((key) => [key, Object.hasOwn(p.columns, key) ? p.columns[key] : undefined, Object.hasOwn(p.values, key) ? p.values[key] : undefined] as const));
  for (let i = 0; i < p.count; i++) {
    const k = p.kind[i];
    if (k === 1) out[i] = view(p.whole as Column, i);
    else if (k === 2) {
      const obj: Record<string, unknown> = {};
      for (const [key, col, vals] of plans[p.shape[i] as number] as (typeof plans)[number]) {
        if (col !== undefined && (col.at[i] as number) >= 0) obj[key] = view(col, i);
        else {
          const id = vals === undefined ? -1 : (vals.ids[i] as number);
          obj[key] = id >= 0 ? (vals as ValueColumn).dict[id] : undefined;
        }
      }
      out[i] = obj;
    }
  }
  return out;
}

/** The buffers of a packed value that can be moved to another thread (each owned by the pack). */
export function packedBuffers(p: PackedFeatures): ArrayBuffer[] {
  const out: ArrayBuffer[] = [p.kind.buffer as ArrayBuffer, p.shape.buffer as ArrayBuffer];
  const cols = [...(p.whole ? [p.whole] : []), ...Object.values(p.columns)];
  for (const c of cols) out.push(c.data.buffer as ArrayBuffer, c.at.buffer as ArrayBuffer, c.len.buffer as ArrayBuffer);
  for (const v of Object.values(p.values)) out.push(v.ids.buffer as ArrayBuffer);
  return out;
}

// ── bytes (the spill's format of a packed block) ────────────────────────────────────────────
//
// [0x50] [header length, u32 LE] [header: v8-serialised shapes, column types, value
// dictionaries and array lengths] then each typed array's bytes, every one at an offset aligned to
// 8. Writing it copies no array into a serialiser's buffer; reading it makes views into the block's
// own buffer, so a reduce pass pays one read per block and no per-array copy.

const MAGIC = 0x50;
const ALIGN = 8;
/** Zero bytes that follow `n` bytes of a packed block to keep the next array aligned. */
export const packedPadding = (n: number): number => (ALIGN - (n % ALIGN)) % ALIGN;
const pad = packedPadding;

/** A packed block's lead: the tag, the length of the serialised `head`, `head`, then padding. */
export function packedLead(head: Uint8Array): Uint8Array {
  const lead = new Uint8Array(5 + head.length + pad(5 + head.length));
  lead[0] = MAGIC;
  new DataView(lead.buffer).setUint32(1, head.length, true);
  lead.set(head, 5);
  return lead;
}

/** Where a packed block's serialised header ends (it starts at 5) and its first array starts. */
export function packedHeader(bytes: Uint8Array): { end: number; body: number } {
  const end = 5 + new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, true);
  return { end, body: end + pad(end) };
}

interface Header {
  readonly count: number;
  readonly shapes: string[][];
  readonly whole: CtorName | null;
  readonly columns: [string, CtorName][];
  readonly values: [string, unknown[]][];
  readonly lengths: number[];
}

function arraysOf(p: PackedFeatures): TypedArray[] {
  const out: TypedArray[] = [p.kind, p.shape];
  const col = (c: Column): void => void out.push(c.data, c.at, c.len);
  if (p.whole) col(p.whole);
  for (const c of Object.values(p.columns)) col(c);
  for (const v of Object.values(p.values)) out.push(v.ids);
  return out;
}

/** `p` as byte chunks to write one after another (the arrays' own bytes, not copies). */
export function encodePacked(p: PackedFeatures): Uint8Array[] {
  const arrays = arraysOf(p);
  const header: Header = {
    count: p.count,
    shapes: p.shapes,
    whole: p.whole?.ctor ?? null,
    columns: Object.entries(p.columns).map(([k, c]) => [k, c.ctor]),
    values: Object.entries(p.values).map(([k, v]) => [k, v.dict]),
    lengths: arrays.map((a) => a.length),
  };
  const out: Uint8Array[] = [packedLead(serialize(header))];
  for (const a of arrays) {
    out.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    if (pad(a.byteLength) > 0) out.push(new Uint8Array(pad(a.byteLength)));
  }
  return out;
}

/** Whether `bytes` (a block of the spill) is a packed block written by `encodePacked`. */
export const isPackedBytes = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes[0] === MAGIC;

/** A damaged packed block (the spill turns it into INSPECT_SPILL). */
const damaged = (what: string): never => {
  throw new RangeError(`packed block ${what}`);
};

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isCtor = (name: unknown): name is CtorName => typeof name === 'string' && Object.hasOwn(CTORS, name);
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((k) => typeof k === 'string');

/** Whether `v` has the header's shape (the types, not yet the numbers' agreement). */
function isHeader(v: unknown): v is Header {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    isCount(h['count']) &&
    Array.isArray(h['shapes']) &&
    h['shapes'].every(isStrings) &&
    (h['whole'] === null || isCtor(h['whole'])) &&
    Array.isArray(h['columns']) &&
    h['columns'].every((c) => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && isCtor(c[1])) &&
    Array.isArray(h['values']) &&
    h['values'].every((c) => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && Array.isArray(c[1])) &&
    Array.isArray(h['lengths']) &&
    h['lengths'].every(isCount)
  );
}

/** Record i's entry of typed-array column `c` is absent (-1) or lies within its data. */
function entryFits(c: Column, i: number): boolean {
  const at = c.at[i] as number;
  const len = c.len[i] as number;
  return at === -1 ? len === 0 : at >= 0 && len >= 0 && at + len <= c.data.length;
}

/**
 * The packed value of `bytes`, whose typed arrays become views into `bytes`' buffer (which must
 * start at an offset aligned to 8 and not be reused). Every length, kind, shape, id and column
 * entry is checked against the rest (O(records)), so damaged bytes throw — RangeError, or the
 * deserialiser's error for a damaged header — and never give features of the wrong size.
 */
export function decodePacked(bytes: Uint8Array): PackedFeatures {
  if (!isPackedBytes(bytes) || bytes.length < 5 || bytes.byteOffset % ALIGN !== 0) damaged('is not one');
  const { end, body } = packedHeader(bytes);
  if (end > bytes.length) damaged('header runs past the block');
  const h: unknown = deserialize(bytes.subarray(5, end));
  if (!isHeader(h)) return damaged('header is malformed');
  let at = body;
  let k = 0;
  const next = <T extends TypedArray>(ctor: new (b: ArrayBufferLike, o: number, n: number) => T, want?: number): T => {
    const n = h.lengths[k++];
    if (n === undefined) return damaged('lists fewer arrays than it holds');
    if (want !== undefined && n !== want) damaged(`has an array of ${n} entries for ${want} records`);
    const size = n * (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (at + size > bytes.length) damaged('array runs past the block');
    const a = new ctor(bytes.buffer, bytes.byteOffset + at, n);
    at += size + pad(size);
    return a;
  };
  const n = h.count;
  const col = (ctor: CtorName): Column => ({
    ctor,
    data: next(CTORS[ctor] as unknown as new (b: ArrayBufferLike, o: number, n: number) => TypedArray),
    at: next(Int32Array, n),
    len: next(Int32Array, n),
  });
  const kind = next(Uint8Array, n);
  const shape = next(Int32Array, n);
  const whole = h.whole === null ? undefined : col(h.whole);
  // fromEntries defines own properties whatever the keys (no prototype setter for "__proto__").
  const columns: Record<string, Column> = Object.fromEntries(h.columns.map(([key, ctor]) => [key, col(ctor)]));
  const values: Record<string, ValueColumn> = Object.fromEntries(h.values.map(([key, dict]) => [key, { ids: next(Int32Array, n), dict }]));
  if (k !== h.lengths.length) damaged('lists more arrays than it holds');
  const cols = Object.values(columns);
  const vals = Object.values(values);
  for (let i = 0; i < n; i++) {
    const kd = kind[i];
    if (kd === 1) {
      if (whole === undefined || (whole.at[i] as number) < 0 || !entryFits(whole, i)) damaged(`record ${i} has no typed array in the block`);
    } else if (kd === 2) {
      const sh = shape[i] as number;
      if (sh < 0 || sh >= h.shapes.length) damaged(`record ${i} has an unknown shape`);
    } else if (kd !== 0) damaged(`record ${i} has an unknown kind`);
    for (const c of cols) if (!entryFits(c, i)) damaged(`record ${i} has a column entry outside the block`);
    for (const v of vals) {
      const id = v.ids[i] as number;
      if (id < -1 || id >= v.dict.length) damaged(`record ${i} has a value id outside the dictionary`);
    }
  }
  return { packed: 1, count: n, kind, ...(whole ? { whole } : {}), shapes: h.shapes, shape, columns, values };
}

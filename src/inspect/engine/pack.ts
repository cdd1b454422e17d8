/**
 * Packing of a shard's dataset features for the trip to the reducer. Detectors' features are
 * mostly typed arrays, alone or in plain objects (MinHash sketches, poisoning n-gram ids): cloned
 * one by one, each is a separate object (and often a separate ArrayBuffer) to serialise in the
 * worker, to deserialise on the main thread and to track in its heap. Packed, every typed-array
 * column of a shard is one buffer (moved between threads without a copy) and the records get
 * views into it. Features of any other shape are passed on unpacked, so packing never changes
 * what a detector receives beyond that: equal values, keys in their order, typed arrays as views.
 */

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
  /** Per record: the object's other properties, or undefined when it has none. */
  readonly rest: Array<Record<string, unknown> | undefined>;
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

/** Packs one detector's features of a shard; returns them unchanged when their shape does not pack. */
export function packFeatures(values: readonly unknown[]): PackedFeatures | readonly unknown[] {
  const n = values.length;
  if (n === 0) return values;
  const kind = new Uint8Array(n);
  const shape = new Int32Array(n).fill(-1);
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const columns = new Map<string, ColumnBuilder>();
  const rest: Array<Record<string, unknown> | undefined> = new Array<Record<string, unknown> | undefined>(n);
  let whole: ColumnBuilder | undefined;
  let typed = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined) continue;
    const c = ctorName(v);
    if (c !== undefined) {
      whole ??= new ColumnBuilder(c, n);
      if (whole.ctor !== c) return values;
      whole.push(i, v as TypedArray);
      kind[i] = 1;
      typed++;
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
    let other: Record<string, unknown> | undefined;
    for (const k of keys) {
      const x = v[k];
      const kc = ctorName(x);
      if (kc === undefined) {
        (other ??= {})[k] = x;
        continue;
      }
      let col = columns.get(k);
      if (!col) columns.set(k, (col = new ColumnBuilder(kc, n)));
      if (col.ctor !== kc) return values;
      col.push(i, x as TypedArray);
      typed++;
    }
    rest[i] = other;
  }
  // Nothing to gain when no typed array is there.
  if (typed === 0) return values;
  return {
    packed: 1,
    count: n,
    kind,
    ...(whole ? { whole: whole.build() } : {}),
    shapes,
    shape,
    columns: Object.fromEntries([...columns].map(([k, b]) => [k, b.build()])),
    rest,
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
  const cols = Object.entries(p.columns);
  for (let i = 0; i < p.count; i++) {
    const k = p.kind[i];
    if (k === 1) out[i] = view(p.whole as Column, i);
    else if (k === 2) {
      const obj: Record<string, unknown> = {};
      const r = p.rest[i];
      for (const key of p.shapes[p.shape[i] as number] as string[]) {
        // Own columns only: a key named like an Object.prototype member is not a column.
        const col = cols.length > 0 && Object.hasOwn(p.columns, key) ? p.columns[key] : undefined;
        obj[key] = col !== undefined && (col.at[i] as number) >= 0 ? view(col, i) : r?.[key];
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
  return out;
}

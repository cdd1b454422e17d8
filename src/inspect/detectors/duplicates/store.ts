/**
 * Bounded state of the near-duplicate reduce (DESIGN §8): what grows with the number of LSH
 * candidates stays in memory up to a budget and waits in a scratch file (see ../../scratch.ts)
 * past it, so a delivery of tens of millions of records reduces in bounded memory.
 *  - `RowStore`: fixed-width rows (the signatures of the records a compare needs), read back by
 *    random access through a direct-mapped cache;
 *  - `BandStore`: each band's multi-member bucket events, written once and read back band by
 *    band (the bucket walk needs one band at a time).
 */
import { ScratchFile } from '../../scratch.js';
import { popcount32 } from './minhash.js';

/** Fixed-width Uint16 rows 0..count-1, put in order, loaded by number. */
export class RowStore {
  /** Loaded rows live here: `load` returns where. */
  data: Uint16Array;
  private readonly file: ScratchFile | undefined;
  private readonly lines: number;
  private readonly tags: Int32Array;
  private readonly rowBytes: number;
  private put_ = 0;

  /** In memory when `count` rows fit in `budget` bytes; else a scratch file and a cache of about `cache` bytes (default `budget`). */
  constructor(
    private readonly width: number,
    count: number,
    budget: number,
    cache = budget,
  ) {
    this.rowBytes = width * 2;
    if (count * this.rowBytes <= budget) {
      this.data = new Uint16Array(count * width);
      this.lines = 0;
      this.tags = new Int32Array(0);
      this.file = undefined;
    } else {
      // Two lines at least, plus a spare one for a pair whose rows map to the same line.
      this.lines = Math.max(2, Math.floor(cache / this.rowBytes));
      this.data = new Uint16Array((this.lines + 1) * width);
      this.tags = new Int32Array(this.lines + 1).fill(-1);
      this.file = new ScratchFile('near-duplicate signatures');
    }
  }

  /** Whether rows went to a scratch file. */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  /** Stores row `k` (the next in order) from `src[off..off+width)`. */
  put(k: number, src: Uint16Array, off: number): void {
    if (k !== this.put_) throw new RangeError(`row ${k} put out of order (expected ${this.put_})`);
    this.put_++;
    const row = src.subarray(off, off + this.width);
    if (this.file === undefined) this.data.set(row, k * this.width);
    else this.file.append(row);
  }

  /**
   * Offset in `data` of row `k`. In the scratch case the row lands in its cache line unless
   * that line holds `keep` (the offset of a row the caller still reads), then in the spare line.
   */
  load(k: number, keep = -1): number {
    if (this.file === undefined) return k * this.width;
    if (!(Number.isInteger(k) && k >= 0 && k < this.put_)) throw new RangeError(`row ${k} was not put (rows 0..${this.put_ - 1})`);
    let line = k % this.lines;
    if (line * this.width === keep) line = this.lines;
    if (this.tags[line] !== k) {
      this.file.read(k * this.rowBytes, this.data.subarray(line * this.width, (line + 1) * this.width));
      this.tags[line] = k;
    }
    return line * this.width;
  }

  close(): void {
    this.file?.close();
    this.data = new Uint16Array(0);
  }
}

/** One band's bucket events: members in ordinal order, with their bucket number. */
export interface BandEvents {
  readonly ord: Int32Array;
  readonly bucket: Int32Array;
}

/** Every band's events, in memory up to `budget` bytes, then in a scratch file. */
export class BandStore {
  private readonly held: (BandEvents | undefined)[] = [];
  private readonly where: Float64Array;
  private readonly lengths: Int32Array;
  private heldBytes = 0;
  private file: ScratchFile | undefined;

  constructor(
    bands: number,
    private readonly budget: number,
  ) {
    this.where = new Float64Array(bands).fill(-1);
    this.lengths = new Int32Array(bands);
  }

  /** Events in all bands. */
  get events(): number {
    let n = 0;
    for (const l of this.lengths) n += l;
    return n;
  }

  /** Whether events went to a scratch file. */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  set(b: number, ev: BandEvents): void {
    this.lengths[b] = ev.ord.length;
    if (this.file === undefined && this.heldBytes + ev.ord.byteLength * 2 <= this.budget) {
      this.held[b] = ev;
      this.heldBytes += ev.ord.byteLength * 2;
      return;
    }
    if (this.file === undefined) {
      this.file = new ScratchFile('near-duplicate buckets');
      for (let k = 0; k < this.held.length; k++) {
        const h = this.held[k];
        if (h !== undefined) this.write(k, h);
      }
      this.held.length = 0;
      this.heldBytes = 0;
    }
    this.write(b, ev);
  }

  /** Number of events of band b. */
  size(b: number): number {
    return this.lengths[b] as number;
  }

  /** Band b's events, as arrays the caller may change (copies of events held in memory). */
  take(b: number): BandEvents {
    const n = this.lengths[b] as number;
    return this.takeInto(b, new Int32Array(n), new Int32Array(n));
  }

  /** Band b's events copied into the first `size(b)` slots of `ord` and `bucket` (reused across bands); returns views of those slots. */
  takeInto(b: number, ord: Int32Array, bucket: Int32Array): BandEvents {
    const n = this.lengths[b] as number;
    if (ord.length < n || bucket.length < n) throw new RangeError(`band ${b} has ${n} events; buffers hold ${Math.min(ord.length, bucket.length)}`);
    const o = ord.subarray(0, n);
    const k = bucket.subarray(0, n);
    if (this.file === undefined || this.where[b] === -1) {
      const h = this.held[b];
      if (h !== undefined) {
        o.set(h.ord);
        k.set(h.bucket);
      }
      return { ord: o, bucket: k };
    }
    this.file.read(this.where[b] as number, o);
    this.file.read((this.where[b] as number) + n * 4, k);
    return { ord: o, bucket: k };
  }

  close(): void {
    this.file?.close();
    this.held.length = 0;
  }

  private write(b: number, ev: BandEvents): void {
    const f = this.file as ScratchFile;
    this.where[b] = f.append(ev.ord);
    f.append(ev.bucket);
  }
}

/**
 * A bit set with rank and select, for numbering a sparse subset without a table per member:
 * `rank(i)` is the number of set bits below i (O(1), one prefix count per 32 bits), `select(r)`
 * the position of the r-th set bit (a binary search over those counts).
 */
export class RankedBits {
  readonly count: number;
  private readonly prefix: Int32Array;

  constructor(readonly bits: Uint32Array) {
    this.prefix = new Int32Array(bits.length + 1);
    let n = 0;
    for (let w = 0; w < bits.length; w++) {
      this.prefix[w] = n;
      n += popcount32(bits[w] as number);
    }
    this.prefix[bits.length] = n;
    this.count = n;
  }

  has(i: number): boolean {
    return (((this.bits[i >>> 5] as number) >>> (i & 31)) & 1) !== 0;
  }

  rank(i: number): number {
    const low = (i & 31) === 0 ? 0 : (this.bits[i >>> 5] as number) & (0xffffffff >>> (32 - (i & 31)));
    return (this.prefix[i >>> 5] as number) + popcount32(low);
  }

  select(r: number): number {
    if (!(r >= 0 && r < this.count)) throw new RangeError(`select(${r}) outside 0..${this.count - 1}`);
    let lo = 0;
    let hi = this.bits.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.prefix[mid] as number) <= r) lo = mid;
      else hi = mid - 1;
    }
    let word = this.bits[lo] as number;
    for (let k = r - (this.prefix[lo] as number); k > 0; k--) word &= word - 1;
    return lo * 32 + (31 - Math.clz32(word & -word));
  }
}


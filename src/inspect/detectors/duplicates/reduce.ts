/**
 * The duplicates reduce over spilled features (issue #4, DESIGN §8): sequential passes over a
 * `FeatureList`. What grows with the records is a few typed arrays (bits or bytes per record,
 * about 20 B per LSH candidate); what would grow past the budget (`NEAR_BUDGET` by default) is
 * split into more passes or waits in scratch files.
 *
 *  pass 1     exact and normalised layers: the four 32-bit hash words of every record (17 B),
 *             then one open-addressed table at a time (6 B); duplicates kept as sparse pairs.
 *             Past the budget, in partitions by hash value (1 + 2 × partitions passes).
 *  passes 2-  LSH candidates, up to `GROUP` bands per pass: the first 32 bits of each
 *             representative's band key (4 B per band), sorted in place per band to find the
 *             values two or more representatives hold. The next pass recomputes those bands'
 *             keys and lists the representatives holding such a value with their full 64-bit
 *             key: grouped by full key, these are exactly the band's buckets of two or more.
 *             Each band's buckets go to a `BandStore` (a scratch file past the budget).
 *  last pass  gathers the candidates' fill maps (16 B each).
 * Then `replay` walks the buckets band by band as `lshCluster` does and reads signatures (`get`,
 * ascending, into a `RowStore`) only for the records of pairs that pass the fill-map filters.
 * This gives the same clusters as `lshCluster` over every representative: a representative
 * alone in its bucket is compared with nothing and changes no bucket's state, so leaving it out
 * changes no compare, no union and no compare count.
 */
import type { FeatureList } from '../../types.js';
import { IntList } from '../../ints.js';
import { collectGarbage } from '../../memory.js';
import { bandFilled, bandKey, bandKeyHigh, estimateSimilarity, findRoot, lowBits, mayBeSimilar, popcount32, similarAtLeast } from './minhash.js';
import { EXACT_WORDS, NORM_WORDS } from './sketch.js';
import { BandStore, RankedBits, RowStore, type BandEvents } from './store.js';

/** Bands per candidate pass at most: 4 bytes per band per representative (7 → 28 B), fewer past the budget. */
const GROUP = 7;

/**
 * Default memory budget of the near layer's growing state (bytes): the candidate passes' band
 * keys, the bucket events and the signatures compares read each take up to about half of it
 * before passes get narrower or the data waits in a scratch file.
 */
export const NEAR_BUDGET = 128 * 1024 * 1024;

/** Result of the hash layers: duplicate pairs (ascending ordinals) and the LSH representatives. */
export interface Layers {
  /** Exact duplicates: exDup[k] is a copy of the first record exOf[k] with its canonical hash. */
  readonly exDup: Int32Array;
  readonly exOf: Int32Array;
  /** Normalised duplicates among the exact representatives with main text. */
  readonly nmDup: Int32Array;
  readonly nmOf: Int32Array;
  /** Bit set over ordinals: normalised representatives with a signature (LSH input). */
  readonly reps: Uint32Array;
  readonly repCount: number;
}

const hasBit = (set: Uint32Array, i: number): boolean => (((set[i >>> 5] as number) >>> (i & 31)) & 1) !== 0;
const setBit = (set: Uint32Array, i: number): void => {
  set[i >>> 5] = (set[i >>> 5] as number) | (1 << (i & 31));
};

/**
 * Linear-probing table over the records `ids` keyed by the 64-bit (lo, hi): calls `dup(i, first)`
 * for every record whose key an earlier one in `ids` order already had. Capacity 1.5× the count
 * (not a power of two: 6 B per record), slot from the high bits of lo·cap.
 */
function firstWithKey(lo: Int32Array, hi: Int32Array, ids: ArrayLike<number> | null, count: number, dup: (i: number, first: number) => void): void {
  const cap = Math.max(16, Math.ceil(count * 1.5));
  const slots = new Int32Array(cap).fill(-1);
  for (let p = 0; p < count; p++) {
    const i = ids === null ? p : (ids[p] as number);
    const a = lo[i] as number;
    const b = hi[i] as number;
    let slot = Math.floor(((a >>> 0) * cap) / 4294967296);
    for (;;) {
      const j = slots[slot] as number;
      if (j < 0) {
        slots[slot] = i;
        break;
      }
      if (lo[j] === a && hi[j] === b) {
        dup(i, j);
        break;
      }
      if (++slot === cap) slot = 0;
    }
  }
}

/** Bytes per record of the one-pass hash layers (four hash words, kind, table slots). */
const LAYER_BYTES = 23;
/** Bytes per record of a partition of the partitioned layers (ordinal, two hash words, table slots). */
const PART_BYTES = 18;

/**
 * Pass 1: exact and normalised layers (same firsts as the in-memory reduce: ordinal order). In
 * one pass while every record's hashes fit in `budget` bytes; past it, in partitions by hash
 * value (see `partitionedLayers`), same result.
 */
export function hashLayers(items: FeatureList<Uint16Array>, budget = NEAR_BUDGET): Layers {
  const n = items.length;
  if (n * LAYER_BYTES <= budget) return onePassLayers(items);
  return partitionedLayers(items, Math.min(64, Math.ceil((n * PART_BYTES) / budget)));
}

/**
 * The layers in 1 + 2 × `parts` passes, holding about `PART_BYTES` per record of one partition:
 * a pass counts the partitions and marks the records with a normalised hash and a signature; each
 * exact partition (records whose exact hash falls in it) then finds its copies, then each
 * normalised partition over the records that are no exact copy. A key's records all fall in one
 * partition, listed in ordinal order, so the firsts are those of the one-pass layers.
 */
function partitionedLayers(items: FeatureList<Uint16Array>, parts: number): Layers {
  const n = items.length;
  const words = (n + 31) >>> 5;
  const hasSig = new Uint32Array(words);
  const copy = new Uint32Array(words);
  const exSize = new Int32Array(parts);
  const nmSize = new Int32Array(parts);
  const partOf = (hi: number): number => Math.floor(((hi >>> 0) * parts) / 4294967296);
  items.scan((f, i) => {
    const ex = partOf((f[2] as number) | ((f[3] as number) << 16));
    exSize[ex] = (exSize[ex] as number) + 1;
    if (f.length > EXACT_WORDS) {
      const nm = partOf((f[6] as number) | ((f[7] as number) << 16));
      nmSize[nm] = (nmSize[nm] as number) + 1;
      if (f.length > NORM_WORDS) setBit(hasSig, i);
    }
  });
  // One layer: per partition, its records' ordinals and keys, then the table (6 B per record).
  const layer = (off: number, sizes: Int32Array): { dup: Int32Array; of: Int32Array } => {
    const dups: Int32Array[] = [];
    const ofs: Int32Array[] = [];
    for (let p = 0; p < parts; p++) {
      const held = { ids: new Int32Array(sizes[p] as number), lo: new Int32Array(sizes[p] as number), hi: new Int32Array(sizes[p] as number) };
      let k = 0;
      items.scan((f, i) => {
        if (f.length <= off || (off > 0 && hasBit(copy, i))) return;
        const hi = (f[off + 2] as number) | ((f[off + 3] as number) << 16);
        if (partOf(hi) !== p) return;
        held.ids[k] = i;
        held.lo[k] = (f[off] as number) | ((f[off + 1] as number) << 16);
        held.hi[k++] = hi;
      });
      const dup = new IntList();
      const of = new IntList();
      const ids = held.ids;
      firstWithKey(held.lo, held.hi, null, k, (a, first) => {
        dup.push(ids[a] as number);
        of.push(ids[first] as number);
      });
      held.lo = held.hi = EMPTY32;
      dups.push(dup.toArray());
      ofs.push(of.toArray());
    }
    // Each partition's copies are ascending: merge them into one ascending list.
    let total = 0;
    for (const d of dups) total += d.length;
    const dup = new Int32Array(total);
    const of = new Int32Array(total);
    const at = new Int32Array(parts);
    for (let k = 0; k < total; k++) {
      let best = -1;
      for (let p = 0; p < parts; p++) {
        const d = dups[p] as Int32Array;
        const a = at[p] as number;
        if (a < d.length && (best < 0 || (d[a] as number) < ((dups[best] as Int32Array)[at[best] as number] as number))) best = p;
      }
      const a = at[best] as number;
      dup[k] = (dups[best] as Int32Array)[a] as number;
      of[k] = (ofs[best] as Int32Array)[a] as number;
      at[best] = a + 1;
    }
    for (const i of dup) setBit(copy, i);
    return { dup, of };
  };
  const ex = layer(0, exSize);
  const nm = layer(EXACT_WORDS, nmSize);
  let repCount = 0;
  for (let w = 0; w < words; w++) {
    const r = (hasSig[w] as number) & ~(copy[w] as number);
    hasSig[w] = r;
    repCount += popcount32(r);
  }
  return { exDup: ex.dup, exOf: ex.of, nmDup: nm.dup, nmOf: nm.of, reps: hasSig, repCount };
}

/** The layers in one pass, every record's hashes in memory (`LAYER_BYTES` each). */
function onePassLayers(items: FeatureList<Uint16Array>): Layers {
  const n = items.length;
  // The per-record columns are reached through `cols`, which is emptied before returning:
  // optimised code of the visitors may keep their closure contexts alive into later passes.
  // kind: 0 exact hash only, 1 normalised hash, 2 and a signature; +4 once known a copy.
  const cols = { exLo: new Int32Array(n), exHi: new Int32Array(n), nmLo: new Int32Array(n), nmHi: new Int32Array(n), kind: new Uint8Array(n) };
  items.scan((f, i) => {
    const l = f.length;
    cols.exLo[i] = (f[0] as number) | ((f[1] as number) << 16);
    cols.exHi[i] = (f[2] as number) | ((f[3] as number) << 16);
    if (l > EXACT_WORDS) {
      cols.nmLo[i] = (f[4] as number) | ((f[5] as number) << 16);
      cols.nmHi[i] = (f[6] as number) | ((f[7] as number) << 16);
      cols.kind[i] = l > NORM_WORDS ? 2 : 1;
    }
  });
  const exDup = new IntList();
  const exOf = new IntList();
  firstWithKey(cols.exLo, cols.exHi, null, n, (i, first) => {
    exDup.push(i);
    exOf.push(first);
    cols.kind[i] = (cols.kind[i] as number) | 4;
  });
  // Exact representatives with main text, ascending (reuses exLo: its keys are no longer needed).
  const withText = cols.exLo;
  const kind = cols.kind;
  let texts = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i] as number;
    if (k === 1 || k === 2) withText[texts++] = i;
  }
  cols.exHi = EMPTY32;
  const nmDup = new IntList();
  const nmOf = new IntList();
  const reps = new Uint32Array((n + 31) >>> 5);
  firstWithKey(cols.nmLo, cols.nmHi, withText, texts, (i, first) => {
    nmDup.push(i);
    nmOf.push(first);
    cols.kind[i] = (cols.kind[i] as number) | 4;
  });
  cols.nmLo = EMPTY32;
  cols.nmHi = EMPTY32;
  let repCount = 0;
  for (let p = 0; p < texts; p++) {
    const i = withText[p] as number;
    if (kind[i] === 2) {
      setBit(reps, i);
      repCount++;
    }
  }
  cols.exLo = EMPTY32;
  cols.kind = new Uint8Array(0);
  // Normalised duplicates were found in ascending ordinal order too.
  return { exDup: exDup.toArray(), exOf: exOf.toArray(), nmDup: nmDup.toArray(), nmOf: nmOf.toArray(), reps, repCount };
}

const EMPTY32 = new Int32Array(0);

/** LSH geometry of the detector. */
export interface Banding {
  readonly slots: number;
  readonly bands: number;
  readonly rows: number;
  readonly threshold: number;
}

/** Near layer result: union pairs among representatives, and the estimate for a pair of them. */
export interface NearResult {
  /** Pairs (nearA[k] < nearB[k]) whose union gives the near clusters. */
  readonly nearA: Int32Array;
  readonly nearB: Int32Array;
  /** Estimated similarity of two records of the near clusters (ordinals). */
  similarity(a: number, b: number): number;
  /** Releases the signatures kept for `similarity` (and their scratch file). */
  close(): void;
}

/** Candidates compared per bucket visit and members kept per bucket, as in `lshCluster`. */
const MAX_BUCKET_COMPARE = 32;
const MAX_KEEP = MAX_BUCKET_COMPARE * 4;

/**
 * Representatives whose 32-bit key of one band another representative shares: their full
 * 64-bit key and ordinal, in ordinal order (the order of the pass that lists them).
 */
class BandFlags {
  readonly h1 = new IntList();
  readonly h2 = new IntList();
  readonly ord = new IntList();
}

/**
 * Groups a band's flags by full key and keeps the groups of two or more (the band's buckets
 * with more than one member), numbering buckets from `firstBucket`.
 */
function bucketsOf(flags: BandFlags, firstBucket: number): { events: BandEvents; buckets: number } {
  const m = flags.ord.length;
  const h1 = flags.h1.toArray();
  const h2 = flags.h2.toArray();
  const idx = Int32Array.from({ length: m }, (_, k) => k);
  idx.sort((x, y) => (h1[x] as number) - (h1[y] as number) || (h2[x] as number) - (h2[y] as number) || x - y);
  const bucket = new Int32Array(m).fill(-1);
  let next = firstBucket;
  let kept = 0;
  for (let s = 0; s < m; ) {
    const a = idx[s] as number;
    let e = s + 1;
    while (e < m && h1[idx[e] as number] === h1[a] && h2[idx[e] as number] === h2[a]) e++;
    if (e - s >= 2) {
      for (let k = s; k < e; k++) bucket[idx[k] as number] = next;
      next++;
      kept += e - s;
    }
    s = e;
  }
  const ord = new Int32Array(kept);
  const out = new Int32Array(kept);
  for (let k = 0, j = 0; k < m; k++) {
    if ((bucket[k] as number) < 0) continue;
    ord[j] = flags.ord.at(k);
    out[j++] = bucket[k] as number;
  }
  return { events: { ord, bucket: out }, buckets: next - firstBucket };
}

/** Values present at least twice (other than 0, "no key") in a sorted band, ascending and distinct (4 B each). */
function repeated(sorted: Uint32Array): Uint32Array {
  const out = new IntList();
  for (let k = 1; k < sorted.length; k++) {
    const v = sorted[k] as number;
    if (v !== 0 && v === sorted[k - 1] && v !== sorted[k - 2]) out.push(v);
  }
  return new Uint32Array(out.toArray().buffer);
}

/** Whether ascending `xs` holds `v`. */
function holds(xs: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = xs[mid] as number;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Sorts each band of a pass's keys in place and lists its repeated values, with a bit map of
 * their high bits (most keys are not repeated: the map spares them the Set lookup). A function of its own so that no view of `keys` outlives it in the caller's frame.
 */
function repeatedKeys(keys: Uint32Array, width: number, R: number, sets: Uint32Array[], pres: Uint32Array[]): void {
  for (let b = 0; b < width; b++) {
    const band = keys.subarray(b * R, (b + 1) * R);
    band.sort();
    const set = repeated(band);
    // 16+ bits per repeated value (at least 1024): about one key in 16 reaches the Set.
    let bits = 10;
    while (bits < 30 && 1 << bits < set.length * 16) bits++;
    const pre = new Uint32Array(1 << (bits - 5));
    for (const v of set) {
      const bit = v >>> (32 - bits);
      pre[bit >>> 5] = (pre[bit >>> 5] as number) | (1 << (bit & 31));
    }
    sets.push(set);
    pres.push(pre);
  }
}



/** What one candidate pass reads and where it writes (see `bandPass`). */
interface BandPass {
  readonly items: FeatureList<Uint16Array>;
  readonly reps: Uint32Array;
  readonly R: number;
  readonly rows: number;
  readonly mapOff: number;
  /** Bands whose keys this pass stores (none in the last pass). */
  readonly from: number;
  readonly to: number;
  /** Bands of the previous pass, whose repeated keys this pass lists. */
  readonly prevFrom: number;
  readonly prevTo: number;
  readonly prevRepeated: readonly Uint32Array[];
  readonly prevPre: readonly Uint32Array[];
}

/**
 * One pass over the features: stores the 32-bit keys of bands [from, to) and returns their
 * repeated values; lists the representatives holding a repeated key of the previous pass's
 * bands. The keys live only inside this
 * call and are reached through an object emptied before returning, so nothing the caller keeps
 * (its frame, or optimised code of the visitor holding its closure context) retains them.
 */
function bandPass(ps: BandPass): { flags: BandFlags[]; sets: Uint32Array[]; pres: Uint32Array[] } {
  const { items, reps, R, rows, mapOff, from, to, prevFrom, prevTo, prevRepeated, prevPre } = ps;
  const width = to - from;
  const held: { keys: Uint32Array } = { keys: new Uint32Array(width * R) };
  const flags: BandFlags[] = [];
  for (let b = prevFrom; b < prevTo; b++) flags.push(new BandFlags());
  const anyPrev = prevRepeated.some((s) => s.length > 0);
  let p = 0;
  items.scan((f, i) => {
    if (!hasBit(reps, i)) return;
    const keys = held.keys;
    for (let b = from; b < to; b++) {
      const b0 = b * rows;
      let h = 0;
      if (bandFilled(f, mapOff, b0, rows)) h = bandKey(f, NORM_WORDS + b0, b, rows) >>> 0 || 1;
      keys[(b - from) * R + p] = h;
    }
    if (anyPrev) {
      for (let b = prevFrom; b < prevTo; b++) {
        const k = b - prevFrom;
        const set = prevRepeated[k] as Uint32Array;
        if (set.length === 0) continue;
        const b0 = b * rows;
        if (!bandFilled(f, mapOff, b0, rows)) continue;
        const h1 = bandKey(f, NORM_WORDS + b0, b, rows);
        const u = h1 >>> 0 || 1;
        const pre = prevPre[k] as Uint32Array;
        const bit = u >>> (Math.clz32(pre.length) - 4);
        if ((((pre[bit >>> 5] as number) >>> (bit & 31)) & 1) === 0 || !holds(set, u)) continue;
        const fl = flags[k] as BandFlags;
        fl.h1.push(h1);
        fl.h2.push(bandKeyHigh);
        fl.ord.push(i);
      }
    }
    p++;
  });
  const sets: Uint32Array[] = [];
  const pres: Uint32Array[] = [];
  repeatedKeys(held.keys, width, R, sets, pres);
  held.keys = new Uint32Array(0);
  return { flags, sets, pres };
}

/**
 * Passes 2..: LSH candidates band group by band group, then the bucket walk of `lshCluster`
 * replayed on the multi-member buckets alone, reading signatures only for the pairs that pass
 * its fill-map filters. Returns the union pairs and the estimate for a pair of their records.
 *
 * Memory: `budget` bytes (default `NEAR_BUDGET`) bound what would grow with the candidates. A
 * pass stores the keys of as many bands as fit in half of it (one band at least); bucket events
 * and the signatures compares read move to scratch files (TMPDIR) once they outgrow their share,
 * the signatures then read through a cache of about a quarter of it. The clusters do not depend
 * on the budget.
 */
export function nearLayer(items: FeatureList<Uint16Array>, layers: Layers, banding: Banding, budget = NEAR_BUDGET): NearResult {
  const { slots, bands, rows, threshold } = banding;
  const R = layers.repCount;
  if (R < 2) return { nearA: new Int32Array(0), nearB: new Int32Array(0), similarity: () => 0, close: () => undefined };
  const reps = layers.reps;
  const mapOff = NORM_WORDS + slots;
  const mapWords = (slots + 31) >>> 5;
  const store = new BandStore(bands, budget / 4);
  try {
    const bandFirst = new Int32Array(bands + 1);
    let buckets = 0;
    const group = Math.max(1, Math.min(GROUP, Math.floor(budget / 2 / (4 * R))));
    const groups = Math.ceil(bands / group);
    // prev*: the group whose repeated keys this pass lists.
    let prevFrom = 0;
    let prevTo = 0;
    let prevRepeated: Uint32Array[] = [];
    let prevPre: Uint32Array[] = [];
    const cand = new Uint32Array((items.length + 31) >>> 5);
    for (let g = 0; g <= groups; g++) {
      const from = g * group;
      const to = Math.min(bands, from + group);
      const pass: BandPass = { items, reps, R, rows, mapOff, from, to: g < groups ? to : from, prevFrom, prevTo, prevRepeated, prevPre };
      const out = bandPass(pass);
      for (let b = prevFrom; b < prevTo; b++) {
        const res = bucketsOf(out.flags[b - prevFrom] as BandFlags, buckets);
        bandFirst[b] = buckets;
        buckets += res.buckets;
        store.set(b, res.events);
        for (const ord of res.events.ord) setBit(cand, ord);
      }
      prevRepeated = out.sets;
      prevPre = out.pres;
      prevFrom = from;
      prevTo = to;
      // Each group's hash tables are garbage now: freed before the next group's are made.
      collectGarbage(8 * R * (to - from));
    }
    bandFirst[bands] = buckets;
    // A last pass gathers the candidates' fill maps (32-bit words, as lshCluster packs them) into
    // an array of their exact size, 16 B per candidate at 128 bins (handed to replay in a holder
    // it empties: it keeps only those of the records it compares).
    const ranked = new RankedBits(cand);
    return replay(items, { slots, bands, rows, threshold }, store, bandFirst, ranked, { maps: gatherFillMaps(items, cand, ranked.count, mapOff, slots) }, mapWords, budget);
  } finally {
    store.close();
  }
}

/** The fill maps (features' 16-bit words at `mapOff`) of the `count` records in bit set `cand`, as 32-bit words in ordinal order. */
function gatherFillMaps(items: FeatureList<Uint16Array>, cand: Uint32Array, count: number, mapOff: number, slots: number): Int32Array {
  const mapWords = (slots + 31) >>> 5;
  const mapWords16 = slots >>> 4;
  const maps = new Int32Array(count * mapWords);
  let c = 0;
  items.scan((f, i) => {
    if (!hasBit(cand, i)) return;
    for (let w = 0; w < mapWords; w++) {
      const lo = 2 * w < mapWords16 ? (f[mapOff + 2 * w] as number) : 0;
      const hi = 2 * w + 1 < mapWords16 ? (f[mapOff + 2 * w + 1] as number) : 0;
      maps[c * mapWords + w] = lo | (hi << 16);
    }
    c++;
  });
  return maps;
}

/** A band's events with the candidates' local numbers, grouped by bucket (ordinal order within). */
interface BandMembers {
  /** Local number of each event, and its bucket relative to the band's first. */
  readonly local: Int32Array;
  readonly bucket: Int32Array;
  /** Members of bucket k: local numbers members[start[k] .. start[k + 1]). */
  readonly start: Int32Array;
  readonly members: Int32Array;
}

/** Filled bins of each of the first n records of `map` (up to 1,024: 16 bits), for the size filter. */
function fillCounts(map: Int32Array, n: number, mapWords: number): Uint16Array {
  const out = new Uint16Array(n);
  for (let c = 0; c < n; c++) {
    let k = 0;
    for (let w = 0; w < mapWords; w++) k += popcount32(map[c * mapWords + w] as number);
    out[c] = k;
  }
  return out;
}

/** The size filter: the fuller of two signatures has at most 1/threshold times the other's filled bins. */
function sizesMatch(fill: Uint16Array, x: number, y: number, threshold: number): boolean {
  const cx = fill[x] as number;
  const cy = fill[y] as number;
  return (cx < cy ? cx : cy) >= threshold * (cx < cy ? cy : cx);
}

/** Size filter and fill-map bound of lshCluster (both symmetric in the pair), for records x and y of `map` and `fill`. */
function passesIn(map: Int32Array, fill: Uint16Array, x: number, y: number, mapWords: number, threshold: number): boolean {
  if (!sizesMatch(fill, x, y, threshold)) return false;
  let union = 0;
  let both = 0;
  for (let w = 0; w < mapWords; w++) {
    const fx = map[x * mapWords + w] as number;
    const fy = map[y * mapWords + w] as number;
    union += popcount32(fx | fy);
    both += popcount32(fx & fy);
  }
  return union !== 0 && both >= threshold * union;
}

/**
 * The records the walk may compare: both records of every pair within a bucket's first
 * `MAX_KEEP` members that passes the size and fill-map filters (the walk compares a subset of
 * those pairs, so it needs no other record's signature, map or count). Takes the candidates'
 * fill maps out of `fills` and returns those of these records only, numbered by rank among them:
 * once it returns, nothing holds the candidates' maps (a reassigned parameter or a register of a
 * running frame could).
 */
function compareRows(
  fills: { maps: Int32Array },
  cand: RankedBits,
  bands: number,
  bandMembers: (b: number) => BandMembers,
  mapWords: number,
  threshold: number,
): { need: RankedBits; needMap: Int32Array; filled: Uint16Array } {
  const maps = fills.maps;
  fills.maps = new Int32Array(0);
  const m = cand.count;
  const filled = fillCounts(maps, m, mapWords);
  const needBits = new Uint32Array((m + 31) >>> 5);
  for (let b = 0; b < bands; b++) {
    const { start, members } = bandMembers(b);
    for (let k = 0; k + 1 < start.length; k++) {
      const s = start[k] as number;
      const e = start[k + 1] as number;
      for (let i = s + 1; i < e; i++) {
        const x = members[i] as number;
        const kept = Math.min(i, s + MAX_KEEP);
        for (let j = s; j < kept; j++) {
          const y = members[j] as number;
          if (passesIn(maps, filled, x, y, mapWords, threshold)) {
            setBit(needBits, x);
            setBit(needBits, y);
          }
        }
      }
    }
  }
  const need = new RankedBits(needBits);
  const needMap = new Int32Array(need.count * mapWords);
  eachCandidate(cand, (c) => {
    if (need.has(c)) needMap.set(maps.subarray(c * mapWords, (c + 1) * mapWords), need.rank(c) * mapWords);
  });
  return { need, needMap, filled: fillCounts(needMap, need.count, mapWords) };
}

/**
 * `lshCluster`'s bucket walk over the multi-member buckets: bands in order, members in ordinal
 * order, the newest `MAX_KEEP` members of a bucket compared newest first, at most
 * `MAX_BUCKET_COMPARE` compares per visit, same-cluster members skipped without counting. The
 * size and fill-map filters read the gathered fill maps; the pairs that pass them are known
 * before the walk (they do not depend on the clusters), so only their records' signatures are
 * read (in ordinal order, into a `RowStore`), and the verification is `similarAtLeast`, the same
 * test. One band's events are in memory at a time.
 */
function replay(
  items: FeatureList<Uint16Array>,
  banding: Banding,
  store: BandStore,
  bandFirst: Int32Array,
  cand: RankedBits,
  fills: { maps: Int32Array },
  mapWords: number,
  budget: number,
): NearResult {
  const { slots, bands, threshold } = banding;
  // Candidates are numbered by rank among the ordinals (their local number).
  const local = (ord: number): number => cand.rank(ord);
  // A band's events, turned in place into local numbers and buckets relative to the band's first.
  // One set of arrays, sized for the largest band, serves every band in turn.
  let maxEvents = 0;
  let maxBuckets = 0;
  for (let b = 0; b < bands; b++) {
    maxEvents = Math.max(maxEvents, store.size(b));
    maxBuckets = Math.max(maxBuckets, (bandFirst[b + 1] as number) - (bandFirst[b] as number));
  }
  const ordBuf = new Int32Array(maxEvents);
  const bucketBuf = new Int32Array(maxEvents);
  const membersBuf = new Int32Array(maxEvents);
  const startBuf = new Int32Array(maxBuckets + 1);
  const atBuf = new Int32Array(maxBuckets);
  const bandMembers = (b: number): BandMembers => {
    const { ord: loc, bucket } = store.takeInto(b, ordBuf, bucketBuf);
    const first = bandFirst[b] as number;
    const nb = (bandFirst[b + 1] as number) - first;
    const n = loc.length;
    const start = startBuf.subarray(0, nb + 1).fill(0);
    for (let e = 0; e < n; e++) {
      loc[e] = local(loc[e] as number);
      const bk = (bucket[e] as number) - first;
      bucket[e] = bk;
      start[bk + 1] = (start[bk + 1] as number) + 1;
    }
    for (let k = 0; k < nb; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
    const members = membersBuf.subarray(0, n);
    const at = atBuf.subarray(0, nb);
    at.set(start.subarray(0, nb));
    for (let e = 0; e < n; e++) {
      const bk = bucket[e] as number;
      members[at[bk] as number] = loc[e] as number;
      at[bk] = (at[bk] as number) + 1;
    }
    return { local: loc, bucket, start, members };
  };
  // The records of the pairs that pass the filters, with their fill maps and counts (by row).
  const { need, needMap, filled } = compareRows(fills, cand, bands, bandMembers, mapWords, threshold);
  // The candidates' maps are freed now, not when this synchronous reduce ends (see collectGarbage).
  collectGarbage(cand.count * (4 * mapWords + 2));
  const count = need.count;
  const width = slots + (slots >>> 4);
  // Spilled signatures leave room for their sketch (below) in the cache's share of the budget.
  const rowBudget = budget / 4;
  const spills = count * width * 2 > rowBudget;
  const sigs = new RowStore(width, count, rowBudget, spills ? Math.max(budget / 16, rowBudget - count * mapWords * 4) : rowBudget);
  try {
    // With the signatures in a scratch file, the lowest bit of each bin stays in memory (4 bytes
    // per 32 bins, `lowBits`): most compares fail, and `mayBeSimilar` settles most of those
    // without reading the pair's signatures.
    const sketch = sigs.spilled ? new Int32Array(count * mapWords) : undefined;
    eachCandidate(cand, (c, ord) => {
      if (!need.has(c)) return;
      const r = need.rank(c);
      const f = items.get(ord);
      sigs.put(r, f, NORM_WORDS);
      if (sketch) lowBits(f, NORM_WORDS, slots, sketch, r * mapWords);
    });
    // The walk, with union-find over rows (ascending ordinals: the root stays the earliest
    // record, as in lshCluster). A record without a row passes the filters with no one: it is
    // compared (counted) and never joined, so only the counting is done for it.
    const parent = Int32Array.from({ length: count }, (_, k) => k);
    const find = (x: number): number => findRoot(parent, x);
    // Per bucket its newest kept member and their count, per event the next older kept one (the
    // members buffer is free during the walk).
    const headBuf = atBuf;
    const sizeBuf = new Int32Array(maxBuckets);
    for (let b = 0; b < bands; b++) {
      const { local: l, bucket, start } = bandMembers(b);
      const nb = start.length - 1;
      const head = headBuf.subarray(0, nb);
      const size = sizeBuf.subarray(0, nb).fill(0);
      const next = membersBuf.subarray(0, l.length);
      for (let e = 0; e < l.length; e++) {
        const bk = bucket[e] as number;
        if (size[bk] === 0) {
          head[bk] = e;
          next[e] = -1;
          size[bk] = 1;
          continue;
        }
        const p = l[e] as number;
        if (need.has(p)) {
          const rp = need.rank(p);
          let root = find(rp);
          let compared = 0;
          for (let qe = head[bk] as number; qe >= 0 && compared < MAX_BUCKET_COMPARE; ) {
            const q = l[qe] as number;
            qe = next[qe] as number;
            if (!need.has(q)) {
              compared++;
              continue;
            }
            const rq = need.rank(q);
            if (find(rq) === root) continue;
            compared++;
            // With the sketch, `mayBeSimilar` alone bounds tighter than the fill-map test (it
            // subtracts the bins that differ from the shared ones), so that loop is not run twice.
            if (sketch === undefined ? !passesIn(needMap, filled, rp, rq, mapWords, threshold) : !sizesMatch(filled, rp, rq, threshold) || !mayBeSimilar(needMap, rp * mapWords, rq * mapWords, sketch, rp * mapWords, rq * mapWords, mapWords, threshold)) continue;
            const xo = sigs.load(rp);
            const yo = sigs.load(rq, xo);
            if (similarAtLeast(sigs.data, xo, sigs.data, yo, slots, threshold)) {
              const ro = find(rq);
              if (ro < root) parent[root] = ro;
              else parent[ro] = root;
              root = find(rp);
            }
          }
        }
        if ((size[bk] as number) < MAX_KEEP) {
          next[e] = head[bk] as number;
          head[bk] = e;
          size[bk] = (size[bk] as number) + 1;
        }
      }
    }
    const nearA = new IntList();
    const nearB = new IntList();
    eachCandidate(cand, (c, ord) => {
      if (!need.has(c)) return;
      const k = need.rank(c);
      const r = find(k);
      if (r !== k) {
        nearA.push(cand.select(need.select(r)));
        nearB.push(ord);
      }
    });
    // Every record of a union pair was compared, so its signature is in `sigs`.
    const rowOf = (ord: number): number => {
      if (!cand.has(ord)) return -1;
      const c = cand.rank(ord);
      return need.has(c) ? need.rank(c) : -1;
    };
    return {
      nearA: nearA.toArray(),
      nearB: nearB.toArray(),
      similarity(a: number, b: number): number {
        const ra = rowOf(a);
        const rb = rowOf(b);
        if (ra < 0 || rb < 0) {
          // Not reached for clusters built by this walk; read the features as a fallback.
          const x = items.get(a).slice();
          const y = items.get(b);
          return x.length > NORM_WORDS && y.length > NORM_WORDS ? estimateSimilarity(x, NORM_WORDS, y, NORM_WORDS, slots) : 0;
        }
        const xo = sigs.load(ra);
        const yo = sigs.load(rb, xo);
        return estimateSimilarity(sigs.data, xo, sigs.data, yo, slots);
      },
      close: () => sigs.close(),
    };
  } catch (err) {
    sigs.close();
    throw err;
  }
}

/** Calls `visit(c, ord)` for each candidate in ordinal order (c: its local number). */
function eachCandidate(cand: RankedBits, visit: (c: number, ord: number) => void): void {
  const bits = cand.bits;
  let c = 0;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      visit(c++, w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}

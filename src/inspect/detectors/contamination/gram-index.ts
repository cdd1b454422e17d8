/**
 * The benchmark n-gram index: an open-addressing hash table from 64-bit n-gram keys (two 32-bit
 * words, the low one already avalanched) to the units (items or item parts) that hold them, kept
 * in typed arrays. A Map keyed by 53-bit numbers boxed every key as a heap number and cost more
 * to build than scanning a delivery's records against it.
 */
export class GramIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** 1 + the newest posting of the key in the slot; 0 = empty slot. */
  private head: Int32Array;
  private mask: number;
  private keys = 0;
  /** Postings: the unit, and the next (older) posting of the same key (-1 = none). */
  private unit: Int32Array;
  private next: Int32Array;
  private postings = 0;

  constructor(expectedKeys = 1024) {
    const cap = 1 << Math.max(4, Math.ceil(Math.log2(expectedKeys * 2)));
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.head = new Int32Array(cap);
    this.mask = cap - 1;
    this.unit = new Int32Array(expectedKeys);
    this.next = new Int32Array(expectedKeys);
  }

  /** Distinct keys held. */
  get size(): number {
    return this.keys;
  }

  /**
   * Records that `unit` holds the key. Units must be added in non-decreasing order; returns false
   * when this unit already holds the key (so each unit counts a key once).
   */
  add(hi: number, lo: number, unit: number): boolean {
    if ((this.keys + 1) * 2 > this.head.length) this.grow();
    let s = lo & this.mask;
    for (;;) {
      const h = this.head[s] as number;
      if (h === 0) break;
      if (this.lo[s] === lo >>> 0 && this.hi[s] === hi >>> 0) {
        if (this.unit[h - 1] === unit) return false;
        this.head[s] = this.post(unit, h - 1) + 1;
        return true;
      }
      s = (s + 1) & this.mask;
    }
    this.hi[s] = hi;
    this.lo[s] = lo;
    this.head[s] = this.post(unit, -1) + 1;
    this.keys++;
    return true;
  }

  /** The newest posting of the key, or -1 when no unit holds it. */
  find(hi: number, lo: number): number {
    let s = lo & this.mask;
    for (;;) {
      const h = this.head[s] as number;
      if (h === 0) return -1;
      if (this.lo[s] === lo >>> 0 && this.hi[s] === hi >>> 0) return h - 1;
      s = (s + 1) & this.mask;
    }
  }

  unitOf(posting: number): number {
    return this.unit[posting] as number;
  }

  /** The next (older) posting of the same key, or -1. */
  nextOf(posting: number): number {
    return this.next[posting] as number;
  }

  private post(unit: number, next: number): number {
    if (this.postings === this.unit.length) {
      const u = new Int32Array(this.unit.length * 2);
      u.set(this.unit);
      this.unit = u;
      const nx = new Int32Array(this.next.length * 2);
      nx.set(this.next);
      this.next = nx;
    }
    this.unit[this.postings] = unit;
    this.next[this.postings] = next;
    return this.postings++;
  }

  private grow(): void {
    const { hi, lo, head } = this;
    const cap = head.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.head = new Int32Array(cap);
    this.mask = cap - 1;
    for (let s = 0; s < head.length; s++) {
      const h = head[s] as number;
      if (h === 0) continue;
      const l = lo[s] as number;
      let t = l & this.mask;
      while (this.head[t] !== 0) t = (t + 1) & this.mask;
      this.hi[t] = hi[s] as number;
      this.lo[t] = l;
      this.head[t] = h;
    }
  }
}

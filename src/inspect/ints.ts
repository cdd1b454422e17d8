/** Growable Int32 list: state proportional to what a reduce keeps, not to the records. */
export class IntList {
  private buf: Int32Array;
  length = 0;
  constructor(capacity = 64) {
    this.buf = new Int32Array(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  at(i: number): number {
    return this.buf[i] as number;
  }
  /** A copy of the values pushed so far, of their exact size. */
  toArray(): Int32Array {
    return this.buf.slice(0, this.length);
  }
}

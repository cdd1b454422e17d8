/** A typed array that grows as values are pushed (the engine's compact findings and spill index). */
export class Grow<T extends Uint8Array | Uint32Array | Float64Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(...xs: number[]): void {
    if (this.length + xs.length > this.data.length) {
      const grown = this.make(Math.max(64, this.data.length * 2, this.length + xs.length));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    for (const x of xs) this.data[this.length++] = x;
  }

  /** A copy of the values pushed so far. */
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * Seeded generators shared by the records layer's differential tests (byte path, fast path and
 * strict parser must agree): a small LCG, random JSON values, and random edits of a JSON line.
 */

/** `r(n)`: a pseudo-random integer in [0, n), from a linear congruential generator seeded with `seed`. */
export function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
}

export interface RandomJsonOptions {
  /** Object keys to draw from. */
  readonly keys: readonly string[];
  /** Six strings to draw from. */
  readonly strings: readonly string[];
  /** Numbers may carry a fraction (.25). */
  readonly fractions?: boolean;
}

/** A random JSON value generator at nesting depth `d` (shallower values nest more often). */
export function randomJson(r: (n: number) => number, o: RandomJsonOptions): (d: number) => unknown {
  const gen = (d: number): unknown => {
    switch (r(d > 3 ? 4 : 7)) {
      case 0:
        return r(2) === 0;
      case 1:
        return r(1000) - 500 + (o.fractions === true && r(2) ? 0.25 : 0);
      case 2:
        return o.strings[r(6)];
      case 3:
        return null;
      case 4:
        return Array.from({ length: r(4) }, () => gen(d + 1));
      default: {
        const obj: Record<string, unknown> = {};
        for (let i = r(5); i > 0; i--) obj[o.keys[r(o.keys.length)] as string] = gen(d + 1);
        return obj;
      }
    }
  };
  return gen;
}

/** `line` with one or two random edits (insert, delete or replace one character from `alphabet`). */
export function mutate(line: string, r: (n: number) => number, alphabet: readonly string[]): string {
  for (let m = 1 + r(2); m > 0; m--) {
    const p = r(line.length + 1);
    const op = r(3);
    const ch = alphabet[r(alphabet.length)] as string;
    line = op === 0 ? line.slice(0, p) + ch + line.slice(p) : op === 1 ? line.slice(0, p) + line.slice(p + 1) : line.slice(0, p) + ch + line.slice(p + 1);
  }
  return line;
}

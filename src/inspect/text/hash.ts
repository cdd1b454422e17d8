/**
 * Small non-cryptographic hashes shared by the text detectors (duplicates, contamination,
 * poisoning): 32-bit FNV-1a finalised with the murmur3 mixer, and a seeded PRNG for hash-function
 * parameters. Identifiers and sketches only: never used where an attacker-chosen collision could
 * hide a finding without a second check.
 */

/** murmur3 32-bit finaliser: avalanches all bits of h. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units in [from, to), finalised with fmix32. */
export function hashString(s: string, seed = 0, from = 0, to = s.length): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** Deterministic 32-bit PRNG (splitmix32) for hash-function parameters and tests. */
export function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

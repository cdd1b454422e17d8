// Compact ranges merged on one thread must give exactly the RFC 9162 root (core's merkleRoot),
// however the leaves are cut into blocks and wherever a block starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { leafHash, merkleRoot } from '../core/index.js';
import { compactRange, compactRangePair, RangeAccumulator } from './range.js';

const digest = (i: number): Buffer => createHash('sha256').update(`record ${i}`).digest();

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

test('merged compact ranges equal merkleRoot for every size up to 130 and random block splits', () => {
  const rand = rng(7);
  const digests = Array.from({ length: 130 }, (_, i) => digest(i));
  const leaves = Buffer.concat(digests.map((d) => leafHash(d)));
  for (let n = 0; n <= 130; n++) {
    const expected = merkleRoot(digests.slice(0, n));
    for (let trial = 0; trial < 6; trial++) {
      const acc = new RangeAccumulator();
      let pos = 0;
      while (pos < n) {
        const len = trial === 0 ? 1 : Math.min(n - pos, 1 + Math.floor(rand() * (trial * 9)));
        acc.pushRange(compactRange(leaves.subarray(pos * 32, (pos + len) * 32), len, pos));
        pos += len;
      }
      assert.deepEqual(acc.root(), expected, `n=${n} trial=${trial}`);
      assert.equal(acc.size, n);
    }
  }
});

test('compact ranges read strided leaves (digest ‖ leaf pairs) and have O(log n) pieces', () => {
  const n = 1000;
  const digests = Array.from({ length: n }, (_, i) => digest(i));
  const pairs = Buffer.concat(digests.flatMap((d) => [d, leafHash(d)]));
  const acc = new RangeAccumulator();
  for (const [lo, hi] of [[0, 333], [333, 334], [334, 1000]] as const) {
    const r = compactRange(pairs.subarray(lo * 64), hi - lo, lo, 64, 32);
    assert.ok(r.sizes.length <= 2 * Math.ceil(Math.log2(n)), `${r.sizes.length} pieces`);
    acc.pushRange(r);
  }
  assert.deepEqual(acc.root(), merkleRoot(digests));
});

test('misaligned or out-of-order subtrees are refused, not merged into a wrong root', () => {
  const h = leafHash(digest(0));
  const acc = new RangeAccumulator();
  acc.pushSubtree(h, 1);
  assert.throws(() => acc.pushSubtree(h, 2), RangeError); // a 2-leaf subtree cannot start at leaf 1
  assert.throws(() => acc.pushSubtree(h, 3), RangeError); // not a power of two
  assert.throws(() => acc.pushSubtree(h, 0), RangeError);
  assert.throws(() => compactRange(Buffer.alloc(32), 1, -1), RangeError);
  assert.deepEqual(new RangeAccumulator().root(), merkleRoot([]));
});

test('compactRangePair shares subtrees between two trees yet equals two separate compact ranges', () => {
  const rand = rng(11);
  const leaves = Buffer.concat(Array.from({ length: 300 }, (_, i) => leafHash(digest(i))));
  let shared = 0;
  for (let trial = 0; trial < 400; trial++) {
    const count = Math.floor(rand() * 300);
    const a = Math.floor(rand() * 5000);
    // Offsets with many trailing zero bits (where levels are shared) as well as odd ones.
    const b = trial % 4 === 0 ? a : trial % 4 === 1 ? a + Math.floor(rand() * 5000) : a + 16 * Math.floor(rand() * 300) * (trial % 8 === 2 ? 8 : 1);
    const [x, y] = compactRangePair(leaves, count, a, b);
    const ex = compactRange(leaves, count, a);
    const ey = compactRange(leaves, count, b);
    assert.deepEqual([Buffer.from(x.hashes).toString('hex'), x.sizes], [Buffer.from(ex.hashes).toString('hex'), ex.sizes], `a=${a} count=${count}`);
    assert.deepEqual([Buffer.from(y.hashes).toString('hex'), y.sizes], [Buffer.from(ey.hashes).toString('hex'), ey.sizes], `a=${a} b=${b} count=${count}`);
    if (b !== a && (b - a) % 16 === 0 && count >= 32) shared++;
  }
  assert.ok(shared > 50, `only ${shared} trials shared levels`);
  assert.throws(() => compactRangePair(leaves, 3, -1, 0), RangeError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../core/index.js';
import { GramIndex } from './gram-index.js';

const units = (ix: GramIndex, hi: number, lo: number): number[] => {
  const out: number[] = [];
  for (let p = ix.find(hi, lo); p >= 0; p = ix.nextOf(p)) out.push(ix.unitOf(p));
  return out.sort((a, b) => a - b);
};

test('a key held by several units lists each once; a unit adding a key twice is refused', () => {
  const ix = new GramIndex(4);
  assert.equal(ix.add(1, 7, 0), true);
  assert.equal(ix.add(1, 7, 0), false);
  assert.equal(ix.add(1, 7, 3), true);
  assert.equal(ix.add(2, 7, 3), true, 'same low word, other high word: another key');
  assert.deepEqual(units(ix, 1, 7), [0, 3]);
  assert.deepEqual(units(ix, 2, 7), [3]);
  assert.equal(ix.find(1, 8), -1);
  assert.equal(ix.find(3, 7), -1);
  assert.equal(ix.size, 2);
});

test('agrees with a Map over 200,000 random keys through many growths, colliding slots included', () => {
  const r = seededRandom(5);
  const ix = new GramIndex(8);
  const ref = new Map<string, Set<number>>();
  const keys: Array<[number, number]> = [];
  for (let unit = 0; unit < 2000; unit++) {
    for (let j = 0; j < 100; j++) {
      // Reuse earlier keys often, and force low-word collisions with few distinct low words.
      const old = keys.length > 0 && r() < 0.3 ? keys[Math.floor(r() * keys.length)] : undefined;
      const k: [number, number] = old ?? [Math.floor(r() * 2 ** 32) >>> 0, r() < 0.1 ? 12345 : Math.floor(r() * 2 ** 32) >>> 0];
      if (!old) keys.push(k);
      const id = `${k[0]}:${k[1]}`;
      const set = ref.get(id) ?? new Set<number>();
      const fresh = !set.has(unit);
      set.add(unit);
      ref.set(id, set);
      assert.equal(ix.add(k[0], k[1], unit), fresh);
    }
  }
  assert.equal(ix.size, ref.size);
  for (const [id, set] of ref) {
    const [hi, lo] = id.split(':').map(Number) as [number, number];
    assert.deepEqual(units(ix, hi, lo), [...set].sort((a, b) => a - b));
  }
  assert.equal(ix.find(0, 0), -1);
});

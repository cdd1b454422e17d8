import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { diffDigests } from './diff.js';

const seq = (items: string[]): Buffer => Buffer.concat(items.map((s) => createHash('sha256').update(s).digest()));
const d = (a: string, b: string): ReturnType<typeof diffDigests> => diffDigests(seq([...a]), seq([...b]));

test('identical sequences have an empty diff', () => {
  assert.deepEqual(d('abcdef', 'abcdef'), { modified: [], inserted: [], deleted: [], approximate: false });
  assert.deepEqual(d('', ''), { modified: [], inserted: [], deleted: [], approximate: false });
});

test('single modified, inserted and deleted records give exact indices', () => {
  assert.deepEqual(d('abcdef', 'abXdef'), { modified: [[2, 2]], inserted: [], deleted: [], approximate: false });
  assert.deepEqual(d('abcdef', 'abcXdef'), { modified: [], inserted: [3], deleted: [], approximate: false });
  assert.deepEqual(d('abcdef', 'abdef'), { modified: [], inserted: [], deleted: [2], approximate: false });
  assert.deepEqual(d('abcdef', 'abcde'), { modified: [], inserted: [], deleted: [5], approximate: false });
  assert.deepEqual(d('abc', 'Xabc'), { modified: [], inserted: [0], deleted: [], approximate: false });
});

test('mixed edits: indices are sealed-side for deletions/modifications, delivered-side for insertions', () => {
  // delete b (1), modify e→Y (old 4, new 3), insert Z after g (new 6)
  const r = d('abcdefgh', 'acdYfgZh');
  assert.deepEqual(r.deleted, [1]);
  assert.deepEqual(r.modified, [[4, 3]]);
  assert.deepEqual(r.inserted, [6]);
  // two modified in a row plus one extra insertion at the same spot
  const r2 = d('abcdef', 'aXYZdef');
  assert.deepEqual(r2.modified, [[1, 1], [2, 2]]);
  assert.deepEqual(r2.inserted, [3]);
  assert.deepEqual(r2.deleted, []);
});

test('a permutation of the same records is a reordering, not edits', () => {
  assert.deepEqual(d('abcdef', 'abdcef'), { modified: [], inserted: [], deleted: [], reorderedAt: 2, approximate: false });
  assert.equal(d('aab', 'aba').reorderedAt, 1);
  // Same length but a different multiset is not a reordering.
  assert.equal(d('aab', 'abb').reorderedAt, undefined);
});

test('duplicate records: deleting one of two equal records is one deletion', () => {
  const r = d('aaaa', 'aaa');
  assert.equal(r.deleted.length, 1);
  assert.equal(r.inserted.length + r.modified.length, 0);
});

test('random edit scripts are reproduced exactly (Myers is minimal)', () => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let t = 0; t < 200; t++) {
    const a = Array.from({ length: 30 + rnd(30) }, (_, i) => `r${i}`);
    const b = [...a];
    const edits = 1 + rnd(4);
    for (let e = 0; e < edits; e++) {
      const k = rnd(3);
      const at = rnd(b.length);
      if (k === 0) b.splice(at, 1);
      else if (k === 1) b.splice(at, 0, `new${t}-${e}`);
      else b[at] = `mod${t}-${e}`;
    }
    const r = diffDigests(seq(a), seq(b));
    // Applying the diff to a must give b: keep a's records not deleted/modified, then place b's.
    const removed = new Set([...r.deleted, ...r.modified.map(([o]) => o)]);
    const added = new Set([...r.inserted, ...r.modified.map(([, n]) => n)]);
    const keptA = a.filter((_, i) => !removed.has(i));
    const keptB = b.filter((_, i) => !added.has(i));
    assert.deepEqual(keptA, keptB, `case ${t}`);
    assert.ok(r.deleted.length + r.inserted.length + 2 * r.modified.length <= 2 * edits, `case ${t} not minimal`);
  }
});

test('a huge edit distance falls back to an approximate multiset diff', () => {
  const a = Array.from({ length: 400 }, (_, i) => `a${i}`);
  const b = Array.from({ length: 400 }, (_, i) => (i % 2 ? `a${i}` : `b${i}`));
  const r = diffDigests(seq(a), seq(b), 1000);
  assert.equal(r.approximate, true);
  assert.equal(r.deleted.length, 200);
  assert.equal(r.inserted.length, 200);
});

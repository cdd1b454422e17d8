/** Regressions of the compaction / packing / worker-reduce engine: reports must not depend on where a reduce ran or what a feature key is called. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY, type Policy } from '../policy/index.js';
import type { InspectReport } from '../types.js';
import { inspectDelivery } from './index.js';
import { isPacked, packFeatures, unpackFeatures } from './pack.js';

function untimed(r: InspectReport): string {
  const { startedAt: _s, finishedAt: _f, detectors, ...rest } = r;
  return JSON.stringify({ ...rest, detectors: detectors.map((d) => ({ ...d, ms: 0 })) });
}

test('a file-scoped ignore of a dataset detector gives the same report with the reduce on a worker as on the main thread', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'review-reduce-'));
  const text = (s: string): string => JSON.stringify({ text: `${s} is a sentence long enough to be compared as a duplicate of itself in this delivery` });
  // Exact duplicates in both files: the reduce lists a.jsonl's first, then b.jsonl's, under the same rule.
  await writeFile(join(dir, 'a.jsonl'), [text('alpha'), text('alpha'), text('alpha'), text('alpha')].join('\n') + '\n');
  await writeFile(join(dir, 'b.jsonl'), [text('bravo'), text('bravo'), text('bravo'), text('bravo')].join('\n') + '\n');
  const policy: Policy = { ...DEFAULT_POLICY, ignore: [{ detector: 'duplicates', file: 'a.jsonl' }] };
  const base = { paths: ['.'], cwd: dir, detectors: ['duplicates' as const], policy, maxFindingsPerRule: 1 };
  const main = await inspectDelivery({ ...base, workers: 0 });
  assert.ok(main.counts.findings > 0, 'b.jsonl duplicates are reported');
  // With a worker the reduce's findings past the first of each rule are compacted before the
  // policy's file ignore is applied, so b.jsonl's first finding (which the report must list) was compacted.
  const threaded = await inspectDelivery({ ...base, workers: 1 });
  assert.equal(untimed(threaded), untimed(main));
});

test('unpacking an object feature with a key named like an Object.prototype member does not throw', () => {
  const values: unknown[] = [
    { sketch: new Uint32Array([1, 2]), constructor: 'x' },
    { sketch: new Uint32Array([3]), toString: 7 },
  ];
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const out = unpackFeatures(p) as Array<Record<string, unknown>>;
  assert.deepEqual(out[0], { sketch: new Uint32Array([1, 2]), constructor: 'x' });
  assert.deepEqual(out[1], { sketch: new Uint32Array([3]), toString: 7 });
});

test('object features whose keys join to the same shape signature keep their own keys', () => {
  const values: unknown[] = [
    { 'a\u0000b': new Uint8Array([1]) },
    { a: new Uint8Array([2]), b: new Uint8Array([3]) },
  ];
  const p = packFeatures(values);
  const out = (isPacked(p) ? unpackFeatures(p) : p) as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(out[1] as object), ['a', 'b']);
  assert.deepEqual(out[1], { a: new Uint8Array([2]), b: new Uint8Array([3]) });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedHeader, packFeatures } from './pack.js';
import { Spill, SpilledFeatures } from './spill.js';
import { inspectDelivery } from './inspect.js';
import { InspectError } from './errors.js';
import type { DatasetDetector, Finding, RecordRef } from '../types.js';

/** Runs `fn` with TMPDIR pointing at a fresh directory; returns what is left in it afterwards. */
async function inTmp(fn: (dir: string) => Promise<void> | void): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'spill-test-'));
  const was = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await fn(dir);
    return readdirSync(dir);
  } finally {
    if (was === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = was;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Three shards of one detector: packed typed arrays with gaps, plain objects, and a shard with none. */
function fill(spill: Spill): void {
  const a = spill.addShard('a.jsonl', 0, 4, false, [1, 2, 3, 4]);
  spill.append(0, a, packFeatures([new Uint32Array([1]), undefined, new Uint32Array([3, 3]), new Uint32Array([4])]), 4);
  // Records not one per line (a multi-line CSV field): lines kept as they are.
  const b = spill.addShard('b.csv', 0, 3, true, [2, 5, 6]);
  spill.append(0, b, [{ n: 5 }, { n: 6, s: 'x' }, undefined], 3);
  const c = spill.addShard('a.jsonl', 4, 2, false, [5, 6]);
  spill.append(0, c, [undefined, undefined], 2);
  const d = spill.addShard('c.parquet', 10, 2, true, [undefined, undefined]);
  spill.append(0, d, [{ n: 7 }, { n: 8 }], 2);
}

test('spill: features come back in delivery order with dense ordinals; refs name file, index, line and row', async () => {
  const left = await inTmp(() => {
    const spill = new Spill();
    fill(spill);
    const list = new SpilledFeatures<unknown>(spill.input(0));
    try {
      assert.equal(list.length, 7, 'records without features have no ordinal');
      const seen: Array<[number, unknown]> = [];
      list.scan((f, ord) => {
        seen.push([ord, f]);
      });
      assert.deepEqual(seen.map(([o]) => o), [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual(seen[1]?.[1], new Uint32Array([3, 3]));
      assert.deepEqual(seen[4]?.[1], { n: 6, s: 'x' });
      const refs: RecordRef[] = Array.from({ length: 7 }, (_, i) => list.ref(i));
      assert.deepEqual(refs, [
        { file: 'a.jsonl', index: 0, line: 1 },
        { file: 'a.jsonl', index: 2, line: 3 },
        { file: 'a.jsonl', index: 3, line: 4 },
        { file: 'b.csv', index: 0, line: 2, row: 1 },
        { file: 'b.csv', index: 1, line: 5, row: 2 },
        { file: 'c.parquet', index: 10, row: 11 },
        { file: 'c.parquet', index: 11, row: 12 },
      ]);
      assert.deepEqual(list.get(4), { n: 6, s: 'x' });
      assert.deepEqual(list.get(2), new Uint32Array([4]));
      // A range, and a visit that stops the pass.
      const part: number[] = [];
      list.scan((_, ord) => void part.push(ord), 2, 5);
      assert.deepEqual(part, [2, 3, 4]);
      const stopped: number[] = [];
      list.scan((_, ord) => {
        stopped.push(ord);
        return ord < 3;
      });
      assert.deepEqual(stopped, [0, 1, 2, 3]);
      assert.throws(() => list.get(7), RangeError);
      assert.throws(() => list.ref(-1), RangeError);
      assert.throws(() => list.ref(1.5), RangeError);
    } finally {
      list.close();
      spill.dispose();
    }
  });
  assert.deepEqual(left, [], 'dispose removes the spill directory');
});

test('spill: a detector with no features at all gets an empty list, and no file is written for it', async () => {
  const left = await inTmp(() => {
    const spill = new Spill();
    const s = spill.addShard('a.jsonl', 0, 2, false, [1, 2]);
    spill.append(1, s, [undefined, undefined], 2);
    const list = new SpilledFeatures<unknown>(spill.input(1));
    assert.equal(list.length, 0);
    let visits = 0;
    list.scan(() => void visits++);
    assert.equal(visits, 0);
    const other = new SpilledFeatures<unknown>(spill.input(7));
    assert.equal(other.length, 0);
    spill.dispose();
    spill.dispose();
  });
  assert.deepEqual(left, []);
});

/**
 * Fills a spill, lets `damage` change its file `features-0.bin`, and expects the first pass over
 * it to fail with INSPECT_SPILL naming the file and matching `message`.
 */
async function expectDamaged(damage: (path: string) => void, message: RegExp, what?: string): Promise<void> {
  await inTmp((dir) => {
    const spill = new Spill();
    fill(spill);
    const input = spill.input(0);
    const [sub] = readdirSync(dir);
    damage(join(dir, sub as string, 'features-0.bin'));
    const list = new SpilledFeatures<unknown>(input);
    assert.throws(
      () => list.scan(() => undefined),
      (e: unknown) => e instanceof InspectError && e.code === 'INSPECT_SPILL' && /features-0\.bin/.test(e.message) && message.test(e.message),
      what,
    );
    list.close();
    spill.dispose();
  });
}

test('spill: a spill file cut short (cleaned by someone during the run) is INSPECT_SPILL naming the file, not garbage features', async () => {
  await expectDamaged((path) => truncateSync(path, 10), /TMPDIR|cleaned/);
});

test('spill: a block overwritten in place (same size, other bytes) is INSPECT_SPILL naming the file, for packed and cloned blocks', async () => {
  for (const at of [0, 3, 40]) {
    await expectDamaged(
      (path) => {
        const bytes = readFileSync(path);
        // Byte 0 is the block's format tag; 3 lies in a packed block's header length; 40 in its header.
        bytes.fill(0xee, at, at + 8);
        writeFileSync(path, bytes);
      },
      /./,
      `bytes ${at}..${at + 8} overwritten`,
    );
  }
});

test('spill: a block that decodes to fewer records than were written is INSPECT_SPILL, not a record without features', async () => {
  await expectDamaged((path) => {
    const bytes = readFileSync(path);
    // The first block's kind array starts after its header; record 0 had a typed array (kind 1).
    const kindAt = packedHeader(bytes).body;
    assert.equal(bytes[kindAt], 1);
    bytes[kindAt] = 0;
    writeFileSync(path, bytes);
  }, /2 records' features.*3 were written/);
});

test('spill: typed arrays a reduce keeps from one pass stay intact while it reads the other blocks', async () => {
  await inTmp(() => {
    const spill = new Spill();
    for (let s = 0; s < 5; s++) {
      const shard = spill.addShard('a.jsonl', s * 100, 100, false, []);
      spill.append(0, shard, packFeatures(Array.from({ length: 100 }, (_, i) => ({ t: new Uint32Array([s, i, s * 1000 + i]), field: `$.f${s}` }))), 100);
    }
    const list = new SpilledFeatures<{ t: Uint32Array; field: string }>(spill.input(0));
    const kept: { t: Uint32Array; field: string }[] = [];
    list.scan((f) => void kept.push(f));
    for (let ord = 499; ord >= 0; ord -= 7) list.get(ord);
    assert.equal(kept.length, 500);
    kept.forEach((f, ord) => {
      const s = Math.floor(ord / 100);
      assert.deepEqual([...f.t], [s, ord % 100, s * 1000 + (ord % 100)]);
      assert.equal(f.field, `$.f${s}`);
    });
    list.close();
    spill.dispose();
  });
});

test('spill: a TMPDIR that cannot hold a directory fails with INSPECT_SPILL saying to set TMPDIR (exit class input)', async () => {
  await inTmp((dir) => {
    // A path under a regular file: no directory can be made there, not even by root.
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    process.env.TMPDIR = join(file, 'tmp');
    const spill = new Spill();
    const s = spill.addShard('a.jsonl', 0, 1, false, [1]);
    assert.throws(
      () => spill.append(0, s, [{ n: 1 }], 1),
      (e: unknown) => e instanceof InspectError && e.code === 'INSPECT_SPILL' && e.kind === 'input' && /TMPDIR/.test(e.message),
    );
    spill.dispose();
  });
});

/** A dataset detector whose reduce reads its features in two passes and names each record it saw. */
function counting(): DatasetDetector<{ n: number }> {
  return {
    id: 'duplicates',
    kind: 'dataset',
    features: (v) => ({ n: v.index }),
    reduce(items) {
      let sum = 0;
      items.scan((f) => void (sum += f.n));
      const out: Finding[] = [];
      items.scan((f, ord) => {
        const ref = items.ref(ord);
        out.push({ detector: 'duplicates', rule: 'seen', severity: 'info', confidence: 1, location: { file: ref.file, index: ref.index, ...(ref.line ? { line: ref.line } : {}) }, message: `n=${f.n} sum=${sum}` });
      });
      return out;
    },
  };
}

test('inspection: features go through the spill to the reduce, and the spill is gone after the run and after a failed run', async () => {
  const left = await inTmp(async (dir) => {
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'a.jsonl'), '{"q":"one"}\n{"q":"two"}\n{"q":"three"}\n');
    const report = await inspectDelivery({ paths: [data], detectors: [counting()], workers: 0 });
    assert.deepEqual(
      report.findings.map((f) => [f.location.file, f.location.index, f.location.line, f.message]),
      [
        ['a.jsonl', 0, 1, 'n=0 sum=3'],
        ['a.jsonl', 1, 2, 'n=1 sum=3'],
        ['a.jsonl', 2, 3, 'n=2 sum=3'],
      ],
    );
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('provenant-spill-')).length, 0, 'spill removed after the run');
    // A malformed record after the first shard's features: the run fails, and leaves nothing.
    writeFileSync(join(data, 'b.jsonl'), '{"q":"four"}\n{"q": tru\n');
    await assert.rejects(inspectDelivery({ paths: [data], detectors: [counting()], workers: 0 }), (e: unknown) => (e as { code?: string }).code === 'RECORD_JSON_SYNTAX');
    assert.equal(existsSync(data), true);
    rmSync(data, { recursive: true });
  });
  assert.deepEqual(left, [], 'no spill directory left behind');
});

test('a reduce may yield its findings one at a time: counts stay exact, the report lists the cap per rule, on every path', async () => {
  // One finding per record and pass-through of the generator: nothing is collected by the detector.
  const yielding = (): DatasetDetector<{ n: number }> => ({
    id: 'duplicates',
    kind: 'dataset',
    features: (v) => ({ n: v.index }),
    *reduce(items) {
      for (let ord = 0; ord < items.length; ord++) {
        const ref = items.ref(ord);
        yield { detector: 'duplicates', rule: ord % 2 ? 'odd' : 'even', severity: 'low', confidence: 1, location: { file: ref.file, index: ref.index }, message: `record ${ord}` } satisfies Finding;
      }
    },
  });
  await inTmp(async (dir) => {
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'a.jsonl'), Array.from({ length: 5001 }, (_, i) => `{"q":"${i}"}\n`).join(''));
    const runs = [
      await inspectDelivery({ paths: [data], detectors: [yielding()], workers: 0, maxFindingsPerRule: 3 }),
      await inspectDelivery({ paths: [data], detectors: ['secrets', yielding()], workers: 1, maxFindingsPerRule: 3 }),
      await inspectDelivery({ paths: [data], detectors: ['secrets', yielding()], workers: 1, maxFindingsPerRule: 3, parallelReduceMaxRecords: 0 }),
    ];
    for (const r of runs) {
      assert.equal(r.counts.byDetector.duplicates, 5001);
      assert.deepEqual(r.findings.map((f) => f.message), ['record 0', 'record 1', 'record 2', 'record 3', 'record 4', 'record 5']);
      assert.deepEqual(r.truncated, [
        { detector: 'duplicates', rule: 'even', shown: 3, total: 2501 },
        { detector: 'duplicates', rule: 'odd', shown: 3, total: 2500 },
      ]);
    }
  });
});

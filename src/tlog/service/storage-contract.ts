/**
 * The contract every LogStorage backend must pass (SQLite now, PostgreSQL later). A driver's test
 * file calls runLogStorageContract(name, fixture); the suite registers node:test tests that
 * assert only behaviour visible through the interface.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leafHash, sha256 } from '../../core/index.js';
import type { StoredNode } from '../merkle.js';
import { nodesCompletedByAppend } from '../merkle.js';
import { LOG_SERVICE_ERROR_CODES as C } from './errors.js';
import type { AppendBatch, LogStorage, StoredCheckpoint } from './storage.js';

/** A fresh, empty storage location for one test. */
export interface LogStorageFixture {
  /** Opens storage on this location; called again after close() to test persistence. */
  open(): Promise<LogStorage>;
  /** Releases the location. */
  dispose(): Promise<void>;
}

const entry = (i: number): Buffer => Buffer.from(`entry-${i}`);
const cp = (size: number, tag = ''): StoredCheckpoint => ({ size, rootHash: sha256(`root-${size}${tag}`), note: `note ${size}${tag}\n` });

/** A consistent batch appending entries [start, start+count) given the stored nodes so far. */
function batch(start: number, count: number, nodes: Map<string, Buffer>, tag = ''): AppendBatch {
  const entries: Buffer[] = [];
  const out: StoredNode[] = [];
  for (let i = start; i < start + count; i++) {
    const e = entry(i);
    entries.push(e);
    for (const n of nodesCompletedByAppend(i, leafHash(e), (l, x) => nodes.get(`${l}/${x}`) as Buffer)) {
      nodes.set(`${n.level}/${n.index}`, n.hash);
      out.push(n);
    }
  }
  return { startIndex: start, entries, nodes: out, checkpoint: cp(start + count, tag) };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code);
    return true;
  });
}

/** Registers the LogStorage contract suite for one backend. */
export function runLogStorageContract(name: string, makeFixture: () => Promise<LogStorageFixture>): void {
  describe(`LogStorage contract: ${name}`, () => {
    const withStore = (fn: (s: LogStorage, f: LogStorageFixture) => Promise<void>) => async (): Promise<void> => {
      const f = await makeFixture();
      const s = await f.open();
      try {
        await fn(s, f);
      } finally {
        await s.close();
        await f.dispose();
      }
    };

    test('a fresh store has no checkpoint, nodes or witness state', withStore(async (s) => {
      assert.equal(await s.latestCheckpoint(), undefined);
      assert.deepEqual(await s.readNodes([{ level: 0, index: 0 }]), [undefined]);
      assert.equal(await s.getWitnessState('example.com/log'), undefined);
    }));

    test('appended batches read back and survive reopening', withStore(async (s, f) => {
      const nodes = new Map<string, Buffer>();
      await s.appendBatch(batch(0, 0, nodes));
      await s.appendBatch(batch(0, 5, nodes));
      await s.appendBatch(batch(5, 3, nodes));
      await s.close();
      const again = await f.open();
      try {
        assert.deepEqual(await again.latestCheckpoint(), cp(8));
        assert.deepEqual(await again.readEntries(2, 4), [2, 3, 4, 5].map(entry));
        assert.deepEqual(await again.readNodes([{ level: 3, index: 0 }, { level: 0, index: 7 }, { level: 1, index: 4 }]), [
          nodes.get('3/0'),
          nodes.get('0/7'),
          undefined,
        ]);
      } finally {
        await again.close();
      }
    }));

    test('a batch that does not start at the stored size is refused and stores nothing', withStore(async (s) => {
      const nodes = new Map<string, Buffer>();
      await s.appendBatch(batch(0, 2, nodes));
      await rejectsWith(s.appendBatch({ startIndex: 1, entries: [entry(1)], nodes: [], checkpoint: cp(2) }), C.STORE_CONFLICT);
      await rejectsWith(s.appendBatch({ ...batch(2, 2, new Map(nodes)), checkpoint: cp(5) }), C.STORE_CONFLICT);
      assert.deepEqual(await s.latestCheckpoint(), cp(2));
      await rejectsWith(s.readEntries(2, 1), C.STORE_FAILURE);
    }));

    test('a batch failing half way stores none of its entries, nodes or checkpoint', withStore(async (s) => {
      const nodes = new Map<string, Buffer>();
      await s.appendBatch(batch(0, 2, nodes));
      const b = batch(2, 2, nodes);
      // A node that already exists makes the write fail after the entries went in.
      const broken: AppendBatch = { ...b, nodes: [...b.nodes, { level: 0, index: 0, hash: sha256('x') }] };
      await assert.rejects(s.appendBatch(broken));
      assert.deepEqual(await s.latestCheckpoint(), cp(2));
      assert.deepEqual(await s.readNodes([{ level: 0, index: 2 }]), [undefined]);
      await rejectsWith(s.readEntries(2, 1), C.STORE_FAILURE);
      await s.appendBatch(b); // and the proper batch still goes in afterwards
      assert.equal((await s.latestCheckpoint())?.size, 4);
    }));

    test('an empty batch republishes the checkpoint of the current size', withStore(async (s) => {
      const nodes = new Map<string, Buffer>();
      await s.appendBatch(batch(0, 3, nodes));
      await s.appendBatch({ startIndex: 3, entries: [], nodes: [], checkpoint: cp(3, 'again') });
      assert.deepEqual(await s.latestCheckpoint(), cp(3, 'again'));
    }));

    test('replaceCheckpointNote only touches the checkpoint it names', withStore(async (s) => {
      const nodes = new Map<string, Buffer>();
      await s.appendBatch(batch(0, 1, nodes));
      assert.equal(await s.replaceCheckpointNote(1, cp(1).rootHash, 'cosigned\n'), true);
      assert.equal((await s.latestCheckpoint())?.note, 'cosigned\n');
      assert.equal(await s.replaceCheckpointNote(1, sha256('other'), 'forged\n'), false);
      assert.equal(await s.replaceCheckpointNote(0, cp(1).rootHash, 'stale\n'), false);
      assert.equal((await s.latestCheckpoint())?.note, 'cosigned\n');
    }));

    test('witness state changes only by compare-and-set', withStore(async (s) => {
      const origin = 'example.com/log';
      const st = (size: number) => ({ origin, size, rootHash: sha256(`w${size}`), note: `n${size}\n` });
      assert.equal(await s.compareAndSetWitnessState(undefined, st(3)), true);
      assert.equal(await s.compareAndSetWitnessState(undefined, st(4)), false, 'a second first-write must lose');
      assert.equal(await s.compareAndSetWitnessState({ size: 2, rootHash: sha256('w2') }, st(5)), false);
      assert.equal(await s.compareAndSetWitnessState({ size: 3, rootHash: sha256('w-other') }, st(5)), false);
      assert.deepEqual(await s.getWitnessState(origin), st(3));
      assert.equal(await s.compareAndSetWitnessState({ size: 3, rootHash: sha256('w3') }, st(9)), true);
      assert.deepEqual(await s.getWitnessState(origin), st(9));
      assert.equal(await s.getWitnessState('other.example/log'), undefined);
    }));

    test('a closed store refuses calls with TLOG_CLOSED', async () => {
      const f = await makeFixture();
      const s = await f.open();
      await s.close();
      try {
        await rejectsWith(s.latestCheckpoint(), C.CLOSED);
        await rejectsWith(s.appendBatch(batch(0, 1, new Map())), C.CLOSED);
      } finally {
        await f.dispose();
      }
    });
  });
}

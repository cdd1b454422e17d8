// recordSetRoot through the bounded external sort: in memory, spilled runs, multi-pass merges and
// repeated records must all give the root of the sorted digests (recordRoots), and leave no files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafHash } from '../core/index.js';
import { recordRoots } from './digest.js';
import { createScanPool, type ScanPool } from './pool.js';
import { SetRootBuilder, sortRun } from './sort.js';

let pool: ScanPool;
let dir: string;
before(() => {
  pool = createScanPool(2);
  dir = mkdtempSync(join(tmpdir(), 'provenant-sort-test-'));
});
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function records(n: number, distinct: number): { digests: Buffer; leaves: Buffer } {
  const ds = Array.from({ length: n }, (_, i) => createHash('sha256').update(`r${i % distinct}`).digest());
  return { digests: Buffer.concat(ds), leaves: Buffer.concat(ds.map((d) => leafHash(d))) };
}

async function setRoot(digests: Buffer, leaves: Buffer, runRecords: number, maxFanIn: number, batch: number): Promise<string> {
  const b = new SetRootBuilder({ pool, dir, runRecords, maxFanIn });
  try {
    const n = digests.length / 32;
    for (let lo = 0; lo < n; lo += batch) {
      const hi = Math.min(n, lo + batch);
      await b.add(digests.subarray(lo * 32, hi * 32), leaves.subarray(lo * 32, hi * 32), hi - lo);
    }
    return (await b.finish()).toString('hex');
  } finally {
    await b.close();
  }
}

test('set root equals recordRoots for in-memory, spilled, and multi-pass merges', async () => {
  for (const [n, run, fan, batch] of [
    [0, 16, 4, 5],
    [1, 16, 4, 5],
    [100, 1000, 4, 7], // one run, never spilled
    [100, 16, 64, 7], // 7 runs, one merge pass
    [1000, 10, 3, 33], // 100 runs, fan-in 3: several passes
    [40000, 3000, 4, 4096], // merge output spans several hashing blocks
  ] as const) {
    const { digests, leaves } = records(n, n);
    assert.equal(await setRoot(digests, leaves, run, fan, batch), recordRoots(digests).recordSetRoot, `n=${n} run=${run} fan=${fan}`);
  }
  assert.deepEqual(readdirSync(dir), [], 'spill files are removed');
});

test('repeated records (equal digests in one bucket and across runs) sort correctly', async () => {
  const { digests, leaves } = records(3000, 3);
  assert.equal(await setRoot(digests, leaves, 500, 4, 100), recordRoots(digests).recordSetRoot);
  const one = records(500, 1);
  assert.equal(await setRoot(one.digests, one.leaves, 64, 2, 50), recordRoots(one.digests).recordSetRoot);
});

test('sortRun orders digest ‖ leaf pairs bytewise and keeps each leaf with its digest', () => {
  const { digests, leaves } = records(5000, 4000);
  const buf = new Uint8Array(5000 * 64);
  buf.set(digests);
  buf.set(leaves, 5000 * 32);
  const out = sortRun(buf, 5000, 5000);
  for (let i = 0; i < 5000; i++) {
    const d = out.subarray(i * 64, i * 64 + 32);
    assert.deepEqual(out.subarray(i * 64 + 32, i * 64 + 64), leafHash(d));
    if (i > 0) assert.ok(Buffer.compare(out.subarray(i * 64 - 64, i * 64 - 32), d) <= 0, `order at ${i}`);
  }
});

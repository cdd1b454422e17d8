/**
 * Crash safety: a process killed (SIGKILL) in the middle of putDelivery leaves no partial delivery,
 * and deliveries committed before the kill are intact (issue 2, "Store").
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  CRASH_COMPLETE_COUNT,
  CRASH_PARTIAL_COUNT,
  crashDelivery,
  crashRecord,
} from '../testing/crash-fixture.js';
import { createSqliteStore } from './index.js';

const CHILD = fileURLToPath(new URL('../testing/crash-child.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'provenant-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

/**
 * Runs the child; at each stdout line calls onLine, which may kill it. Resolves with how it ended.
 */
function runChild(
  path: string,
  mode: 'pause' | 'run',
  onLine: (line: string, kill: () => void) => void,
): Promise<{ signal: NodeJS.Signals | null; lines: string[] }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CHILD, path, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      onLine(line, () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`crash child failed (${code}): ${stderr}`));
      else resolveRun({ signal, lines });
    });
  });
}

async function assertCompleteIntact(path: string): Promise<void> {
  const store = await createSqliteStore({ path });
  try {
    const d = await store.getDelivery('complete');
    assert.deepEqual(d, crashDelivery('complete', CRASH_COMPLETE_COUNT));
    assert.equal(await store.countRecords('complete'), CRASH_COMPLETE_COUNT);
    const last = crashRecord('complete', CRASH_COMPLETE_COUNT - 1, CRASH_COMPLETE_COUNT);
    assert.deepEqual(await store.findRecords(last.digest), [{ deliveryId: 'complete', file: last.file, index: last.index }]);
  } finally {
    await store.close();
  }
}

/** Counts every row, whoever it belongs to: a partial delivery could hide behind a missing parent. */
function rawCounts(path: string): { deliveries: number; files: number; records: number } {
  const raw = new Database(path, { readonly: true });
  try {
    const count = (table: string) => raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { deliveries: count('deliveries'), files: count('delivery_files'), records: count('records') };
  } finally {
    raw.close();
  }
}

describe('sqlite store killed mid-delivery', () => {
  test('SIGKILL inside the open transaction leaves no trace of the delivery; the earlier one is intact', async () => {
    const path = join(root, 'pause.db');
    let walAtCommit = 0;
    let walAtKill = 0;
    let lockHeld = false;
    const { signal, lines } = await runChild(path, 'pause', (line, kill) => {
      if (line === 'committed') walAtCommit = walSize(path);
      if (line !== 'started') return;
      walAtKill = walSize(path);
      // Prove the child is inside its write transaction: the write lock is taken.
      const probe = new Database(path, { timeout: 0 });
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
      } catch (err) {
        lockHeld = (err as { code?: string }).code === 'SQLITE_BUSY';
      } finally {
        probe.close();
      }
      kill();
    });
    assert.equal(signal, 'SIGKILL');
    assert.deepEqual(lines, ['committed', 'started']);
    assert.ok(lockHeld, 'the child held the write lock when killed');
    assert.ok(walAtKill > walAtCommit, `uncommitted pages reached the WAL (${walAtCommit} -> ${walAtKill} bytes)`);

    const store = await createSqliteStore({ path });
    try {
      assert.equal(await store.getDelivery('partial'), undefined);
      assert.equal(await store.countRecords('partial'), 0);
      assert.deepEqual(await store.findRecords(crashRecord('partial', 0, CRASH_PARTIAL_COUNT).digest), []);
      assert.deepEqual(
        (await store.listDeliveries()).map((d) => d.id),
        ['complete'],
      );
    } finally {
      await store.close();
    }
    assert.deepEqual(rawCounts(path), { deliveries: 1, files: 4, records: CRASH_COMPLETE_COUNT });
    await assertCompleteIntact(path);

    // No stale lock or half state: the killed delivery's id is free and the store takes writes.
    const again = await createSqliteStore({ path, synchronous: 'normal' });
    try {
      const records = [0, 1, 2, 3].map((i) => crashRecord('partial', i, 4));
      assert.equal((await again.putDelivery(crashDelivery('partial', 4), records)).inserted, true);
      assert.equal(await again.countRecords('partial'), 4);
    } finally {
      await again.close();
    }
  });

  test('SIGKILL at an arbitrary point of a running insert: all of the delivery or none of it', async () => {
    for (const delayMs of [5, 60]) {
      const path = join(root, `run-${delayMs}.db`);
      const { lines } = await runChild(path, 'run', (line, kill) => {
        if (line === 'started') setTimeout(kill, delayMs);
      });
      assert.deepEqual(lines.slice(0, 2), ['committed', 'started']);
      const store = await createSqliteStore({ path });
      try {
        const d = await store.getDelivery('partial');
        const count = await store.countRecords('partial');
        if (d === undefined) assert.equal(count, 0, `delay ${delayMs}ms: records without their delivery`);
        else assert.equal(count, CRASH_PARTIAL_COUNT, `delay ${delayMs}ms: delivery with missing records`);
      } finally {
        await store.close();
      }
      const raw = rawCounts(path);
      assert.ok(
        raw.records === CRASH_COMPLETE_COUNT || raw.records === CRASH_COMPLETE_COUNT + CRASH_PARTIAL_COUNT,
        `delay ${delayMs}ms: ${raw.records} record rows`,
      );
      await assertCompleteIntact(path);
    }
  });
});

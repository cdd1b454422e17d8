/**
 * Child process for the crash test (sqlite/crash.test.ts); not part of the public API.
 * Usage: node crash-child.js DB_PATH pause|run
 * Stores a small complete delivery ("committed"), then starts a 200k-record delivery and prints
 * "started" once 50k rows were inserted inside its open transaction. In "pause" mode the stream
 * then stalls so the parent can kill it at a known point; in "run" mode it keeps going, so the kill
 * lands anywhere in the remaining inserts, the commit, or the checkpoint.
 */
import { createSqliteStore } from '../sqlite/index.js';
import type { RecordRef } from '../types.js';
import { CRASH_COMPLETE_COUNT, CRASH_PARTIAL_COUNT, CRASH_STARTED_AT, crashDelivery, crashRecord } from './crash-fixture.js';

async function main(): Promise<void> {
  const [path, mode] = process.argv.slice(2);
  if (path === undefined || (mode !== 'pause' && mode !== 'run')) {
    process.stderr.write('usage: crash-child.js DB_PATH pause|run\n');
    process.exit(2);
  }
  // In pause mode a 1 MiB page cache forces SQLite to spill uncommitted pages into the WAL before
  // the kill, so recovery has to discard real uncommitted frames, not just lose memory.
  const store = await createSqliteStore(mode === 'pause' ? { path, cacheSizeMiB: 1 } : { path });
  const complete = crashDelivery('complete', CRASH_COMPLETE_COUNT);
  const done = [];
  for (let i = 0; i < CRASH_COMPLETE_COUNT; i++) done.push(crashRecord('complete', i, CRASH_COMPLETE_COUNT));
  await store.putDelivery(complete, done);
  process.stdout.write('committed\n');

  async function* partial(): AsyncIterable<RecordRef> {
    for (let i = 0; i < CRASH_PARTIAL_COUNT; i++) {
      if (i === CRASH_STARTED_AT) {
        process.stdout.write('started\n');
        if (mode === 'pause') await new Promise((r) => setTimeout(r, 60_000));
      }
      yield crashRecord('partial', i, CRASH_PARTIAL_COUNT);
    }
  }
  await store.putDelivery(crashDelivery('partial', CRASH_PARTIAL_COUNT), partial());
  process.stdout.write('done\n');
  await store.close();
}

await main();

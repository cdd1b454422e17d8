/**
 * Child process for the PostgreSQL crash test (crash.test.ts); not part of the public API.
 * Usage: node crash-child.js URL SCHEMA pause|run
 * Stores a small complete delivery ("committed"), then starts a 200k-record delivery and prints
 * "started" once 50k records were sent inside its open transaction. In "pause" mode the stream
 * then stalls so the parent can kill it at a known point; in "run" mode it keeps going, so the
 * kill lands anywhere in the remaining batches or the commit.
 */
import { CRASH_COMPLETE_COUNT, CRASH_PARTIAL_COUNT, CRASH_STARTED_AT, crashDelivery, crashRecord } from '../testing/crash-fixture.js';
import type { RecordRef } from '../types.js';
import { createPostgresStore } from './index.js';

async function main(): Promise<void> {
  const [url, schema, mode] = process.argv.slice(2);
  if (url === undefined || schema === undefined || (mode !== 'pause' && mode !== 'run')) {
    process.stderr.write('usage: crash-child.js URL SCHEMA pause|run\n');
    process.exit(2);
  }
  const store = await createPostgresStore({ url, schema, maxConnections: 1 });
  const done: RecordRef[] = [];
  for (let i = 0; i < CRASH_COMPLETE_COUNT; i++) done.push(crashRecord('complete', i, CRASH_COMPLETE_COUNT));
  await store.putDelivery(crashDelivery('complete', CRASH_COMPLETE_COUNT), done);
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

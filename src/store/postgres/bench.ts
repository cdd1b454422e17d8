/**
 * Store throughput, PostgreSQL against the embedded SQLite baseline in the same run: bulk insert of
 * one large delivery and batched digest lookup. Not part of the test suite.
 * Usage: node build/src/store/postgres/bench.js [RECORDS=200000] [URL]
 * URL defaults to PROVENANT_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../sqlite/index.js';
import { crashDelivery, crashRecord } from '../testing/crash-fixture.js';
import type { RecordRef, Store } from '../types.js';
import { createPostgresStore } from './index.js';
import { adminPool, DEFAULT_TEST_DATABASE_URL, dropSchema, freshSchema } from './pg-fixture.js';

async function measure(store: Store, refs: readonly RecordRef[]): Promise<{ insert: number; lookup: number }> {
  async function* stream(): AsyncIterable<RecordRef> {
    yield* refs;
  }
  let t = performance.now();
  await store.putDelivery(crashDelivery('bench', refs.length), stream());
  const insert = (performance.now() - t) / 1000;
  const probes = refs.map((r, i) => (i % 2 ? r.digest : Buffer.alloc(32, i % 251)));
  t = performance.now();
  let found = 0;
  for await (const m of store.findRecordsMany(probes)) found += m.locations.length;
  const lookup = (performance.now() - t) / 1000;
  if (found !== Math.floor(refs.length / 2)) throw new Error(`lookup found ${found}`);
  return { insert, lookup };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200_000);
  const url = process.argv[3] ?? process.env['PROVENANT_TEST_DATABASE_URL'] ?? DEFAULT_TEST_DATABASE_URL;
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; ${count} records`);
  const refs: RecordRef[] = [];
  for (let i = 0; i < count; i++) refs.push(crashRecord('bench', i, count));
  const rate = (s: number) => `${s.toFixed(2)} s, ${Math.round(count / s)}/s`;

  const dir = mkdtempSync(join(tmpdir(), 'provenant-pgbench-'));
  let base: { insert: number; lookup: number };
  try {
    const sqlite = await createSqliteStore({ path: join(dir, 'provenant.db') });
    base = await measure(sqlite, refs);
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`sqlite (synchronous=full): insert ${rate(base.insert)}; findRecordsMany ${rate(base.lookup)}`);

  const admin = adminPool(url);
  const schema = freshSchema('provenant_bench');
  try {
    const pgStore = await createPostgresStore({ url, schema });
    const got = await measure(pgStore, refs);
    await pgStore.close();
    console.log(`postgres: insert ${rate(got.insert)}; findRecordsMany ${rate(got.lookup)}`);
    console.log(`postgres/sqlite time ratio: insert ${(got.insert / base.insert).toFixed(2)}, lookup ${(got.lookup / base.lookup).toFixed(2)}`);
  } finally {
    await dropSchema(admin, schema);
    await admin.end();
  }
}

await main();

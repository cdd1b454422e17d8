/**
 * Store throughput on this machine: bulk insert of one large delivery and batched digest lookup.
 * Usage: node build/src/store/testing/bench.js [RECORDS=1000000] [full|normal]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../sqlite/index.js';
import { MIGRATIONS } from '../sqlite/migrations.js';
import type { RecordRef } from '../types.js';
import { crashDelivery, crashRecord } from './crash-fixture.js';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1_000_000);
  const sync = process.argv[3] === 'normal' ? 'normal' : 'full';
  const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-'));
  const path = join(dir, 'provenant.db');
  try {
    // Other work on the machine skews every figure; print the load so readers can judge.
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
    const store = await createSqliteStore({ path, synchronous: sync });
    // Digests are computed up front so the figure is the store's, not SHA-256's.
    const refs: RecordRef[] = [];
    for (let i = 0; i < count; i++) refs.push(crashRecord('bench', i, count));
    async function* stream(): AsyncIterable<RecordRef> {
      yield* refs;
    }
    let t = performance.now();
    await store.putDelivery(crashDelivery('bench', count), stream());
    let s = (performance.now() - t) / 1000;
    const first = s;
    console.log(`insert ${count} records (async iterable, synchronous=${sync}): ${s.toFixed(2)} s, ${Math.round(count / s)} records/s`);
    const more = refs.map((r) => ({ ...r, digest: Buffer.from(r.digest).reverse() }));
    t = performance.now();
    await store.putDelivery(crashDelivery('bench-2', count), more);
    s = (performance.now() - t) / 1000;
    console.log(`insert ${count} more records into a non-empty store (sync iterable): ${s.toFixed(2)} s, ${Math.round(count / s)} records/s`);
    t = performance.now();
    let found = 0;
    const probes = refs.map((r, i) => (i % 2 ? r.digest : Buffer.alloc(32, i)));
    for await (const m of store.findRecordsMany(probes)) found += m.locations.length;
    s = (performance.now() - t) / 1000;
    console.log(`findRecordsMany ${probes.length} digests (half present): ${s.toFixed(2)} s, ${Math.round(probes.length / s)} digests/s, ${found} found`);
    await store.close();
    // Baseline: the same rows through a bare prepared INSERT in one transaction on the same schema,
    // no validation, no async iteration. The ratio is the store's own overhead.
    const raw = new Database(join(dir, 'baseline.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    raw.pragma('cache_size = -65536');
    raw.exec(MIGRATIONS.map((m) => m.sql).join('\n'));
    raw.exec(`INSERT INTO deliveries VALUES (1, 'b', 'v', 'c', 'sealed', '${'0'.repeat(64)}', NULL, '${'0'.repeat(64)}',
      '${'0'.repeat(64)}', ${count}, 4, 'k', 't', NULL, NULL, '{}', 't')`);
    for (let f = 0; f < 4; f++) raw.prepare('INSERT INTO delivery_files VALUES (1, ?, ?)').run(f, `part-${f}.jsonl`);
    const ins = raw.prepare('INSERT INTO records VALUES (?, ?, ?, ?)');
    t = performance.now();
    raw.exec('BEGIN');
    for (const r of refs) ins.run(1, Number(r.file.slice(5, 6)), r.index, r.digest);
    raw.exec('COMMIT');
    const base = (performance.now() - t) / 1000;
    raw.close();
    console.log(`baseline: bare better-sqlite3 INSERT of the same ${count} rows: ${base.toFixed(2)} s, ${Math.round(count / base)} records/s; store/baseline time ratio ${(first / base).toFixed(2)}`);
    console.log(`database size: ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { builtinRegistry, DEFAULT_DETECTORS, inspectDelivery, inspectShard, listFiles, processBatch, ShardReducer, DEFAULT_POLICY, type InspectReport } from '../inspect/index.js';
import { detectFormat } from '../records/index.js';
import { decodeValue, encodeValue } from './codec.js';
import { checkReachable, checkShardFile, parseRedisUrl, planShards } from './index.js';
import { runProvenant, untimed } from './testkit.js';
import { sharedPath } from '../core/index.js';

const DATA = pathToFileURL(`${sharedPath('data')}/`);
const gsm = readFileSync(new URL('gsm8k-train.jsonl', DATA), 'utf8').split('\n').filter(Boolean);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dist-plan-'));
  // Duplicates across shard boundaries, a secret and PII late in the file, a BOM on line 1.
  const rows = [...gsm.slice(0, 300), ...gsm.slice(0, 40), '{"question":"key AKIAIOSFODNN7EXAMPLF mail bob@example.com","answer":"x"}'];
  await writeFile(join(dir, 'a.jsonl'), '\uFEFF' + rows.join('\n') + '\n');
  await writeFile(join(dir, 'b.csv'), 'text,label\nhello there,1\nfine day,0\n');
  await writeFile(join(dir, 'c.txt'), Array.from({ length: 1500 }, (_, i) => `line ${i} of a text file ${i % 7}`).join('\n'));
  await writeFile(join(dir, 'd.jsonl.gz'), gzipSync(gsm.slice(300, 350).join('\n') + '\n'));
});

/** The distributed path without Redis: plan shards, inspect each in-process, reduce in order. */
async function sharded(paths: string[], shardBytes: number): Promise<InspectReport> {
  const files = await listFiles(paths, dir);
  const detectors = builtinRegistry().createAll(DEFAULT_DETECTORS.map((id) => ({ id })));
  const reducer = new ShardReducer(detectors);
  for (const shard of await planShards(files, { shardBytes })) {
    reducer.add(await inspectShard(shard, { detectorCount: detectors.length, exec: async (b) => processBatch(detectors, undefined, b), batchSize: 37 }));
  }
  return reducer.finish({ files, formats: files.map((f) => detectFormat(f.absPath).format), roots: paths, startedAt: '', policy: DEFAULT_POLICY });
}

test('line-range shards give the single-process report exactly (indices, lines, cross-shard duplicates)', async () => {
  const single = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0 });
  assert.ok(single.findings.some((f) => f.detector === 'duplicates'), 'the corpus has duplicates to find');
  assert.ok(single.findings.some((f) => f.detector === 'secrets' && f.location.line === 341));
  const files = await listFiles(['.'], dir);
  const shards = await planShards(files, { shardBytes: 20_000 });
  assert.ok(shards.filter((s) => s.file === 'a.jsonl').length >= 8, 'a.jsonl is split');
  assert.ok(shards.filter((s) => s.file === 'c.txt').length >= 2, 'c.txt is split');
  assert.deepEqual(shards.filter((s) => s.file === 'b.csv' || s.file === 'd.jsonl.gz').map((s) => s.source.kind), ['file', 'file']);
  assert.equal(untimed(await sharded(['.'], 20_000)), untimed(single));
  assert.equal(untimed(await sharded(['.'], 1)), untimed(single), 'one line per shard');
});

test('ranges are contiguous, newline-aligned, never start at a BOM, and carry their first line', async () => {
  const p = join(dir, 'bom.jsonl');
  const lines = ['{"a":1}', '\uFEFF{"a":2}', '{"a":3}', '{"a":4}'];
  await writeFile(p, lines.join('\n') + '\n');
  const bytes = readFileSync(p);
  const shards = await planShards(await listFiles([p]), { shardBytes: 1 });
  const ranges = shards.map((s) => (s.source.kind === 'lines' ? s.source : assert.fail('expected a range')));
  assert.deepEqual(ranges.map((r) => r.firstLine), [1, 3, 4], 'no cut before the line with a BOM');
  assert.equal(ranges[0]?.start, 0);
  assert.equal(ranges.at(-1)?.end, bytes.length);
  for (let i = 1; i < ranges.length; i++) {
    assert.equal(ranges[i]?.start, ranges[i - 1]?.end);
    assert.equal(bytes[(ranges[i]?.start ?? 0) - 1], 0x0a);
  }
  // The mid-file BOM stays part of line 2, which is then refused exactly as in one process.
  const single = await inspectDelivery({ paths: [p], workers: 0 }).catch((e: unknown) => e);
  const files = await listFiles([p]);
  const detectors = builtinRegistry().createAll([{ id: 'schema' }]);
  const got = await Promise.all(shards.map((s) => inspectShard(s, { detectorCount: 1, exec: async (b) => processBatch(detectors, undefined, b) }))).catch((e: unknown) => e);
  assert.equal((got as { code?: string }).code, (single as { code?: string }).code);
  assert.deepEqual((got as { location?: unknown }).location, (single as { location?: unknown }).location);
  void files;
});

test('a malformed record in a later range fails with its code and its real line', async () => {
  const p = join(dir, 'bad.jsonl');
  await writeFile(p, [...gsm.slice(0, 50), '{"question": "unterminated', ...gsm.slice(50, 60)].join('\n') + '\n');
  const single = await inspectDelivery({ paths: [p], workers: 0 }).then(
    () => assert.fail('must fail'),
    (e: unknown) => e as { code: string; location: { line: number } },
  );
  assert.match(single.code, /^RECORD_/);
  assert.equal(single.location.line, 51);
  const shards = await planShards(await listFiles([p]), { shardBytes: 3000 });
  const bad = shards.find((s) => s.source.kind === 'lines' && s.source.firstLine > 1 && s.source.firstLine <= 51 && s.source.end > 0);
  assert.ok(bad, 'the bad line is not in the first range');
  const detectors = builtinRegistry().createAll([{ id: 'schema' }]);
  let err: { code?: string; location?: unknown } | undefined;
  for (const s of shards) {
    await inspectShard(s, { detectorCount: 1, exec: async (b) => processBatch(detectors, undefined, b) }).catch((e: { code?: string; location?: unknown }) => (err ??= e));
  }
  assert.equal(err?.code, single.code);
  assert.deepEqual(err?.location, single.location);
});

test('a worker refuses a shard whose file changed or is not visible', async () => {
  const p = join(dir, 'change.jsonl');
  await writeFile(p, gsm.slice(0, 5).join('\n') + '\n');
  const [shard] = await planShards(await listFiles([p]));
  assert.ok(shard);
  await checkShardFile(shard);
  await appendFile(p, gsm[5] + '\n');
  await assert.rejects(checkShardFile(shard), { code: 'DIST_SHARD_CHANGED', location: { file: 'change.jsonl' } });
  // Same size, new mtime (rewritten in place) is a change too.
  const [again] = await planShards(await listFiles([p]));
  assert.ok(again);
  await utimes(p, new Date(), new Date(Date.now() + 5000));
  await assert.rejects(checkShardFile(again), { code: 'DIST_SHARD_CHANGED' });
  await assert.rejects(checkShardFile({ ...again, absPath: join(dir, 'nope.jsonl') }), { code: 'DIST_SHARD_UNREADABLE' });
});

test('Redis URLs are checked; the password never shows in messages', () => {
  const t = parseRedisUrl('redis://alice:s3cret@10.0.0.5:6380/2');
  assert.deepEqual(t.connection, { host: '10.0.0.5', port: 6380, username: 'alice', password: 's3cret', db: 2 });
  assert.ok(!t.display.includes('s3cret'));
  assert.equal(parseRedisUrl('rediss://cache.example').tls, true);
  for (const bad of ['127.0.0.1:6379', 'http://x', 'redis://', 'redis://h/abc', 'not a url']) {
    assert.throws(() => parseRedisUrl(bad), { code: 'DIST_REDIS_URL' }, bad);
  }
});

test('an unreachable Redis is one coded line, for inspect and for worker (exit 2)', async () => {
  await assert.rejects(checkReachable(parseRedisUrl('redis://127.0.0.1:1')), { code: 'DIST_REDIS_UNREACHABLE' });
  const a = await runProvenant(['inspect', 'b.csv', '--distributed', 'redis://127.0.0.1:1'], dir);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /^DIST_REDIS_UNREACHABLE: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)[^\n]*\n$/);
  const w = await runProvenant(['worker', '--redis', 'redis://127.0.0.1:1'], dir);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /^DIST_REDIS_UNREACHABLE: /);
  const u = await runProvenant(['inspect', 'b.csv', '--queue', 'q'], dir);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /CLI_USAGE/);
});

test('a garbled payload from the queue is a coded error, not a crash', () => {
  assert.deepEqual(decodeValue(encodeValue({ a: new Uint32Array([1, 2]), b: undefined }), 'x'), { a: new Uint32Array([1, 2]), b: undefined });
  assert.throws(() => decodeValue('!!!!', 'a shard result'), { code: 'DIST_PAYLOAD_INVALID' });
  assert.throws(() => decodeValue(undefined, 'a shard result'), { code: 'DIST_PAYLOAD_INVALID' });
});

test('a large Parquet file is split by row groups and gives the single-process report exactly', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const pq = await mkdtemp(join(tmpdir(), 'dist-parquet-'));
  const rows = [...gsm.slice(0, 120), ...gsm.slice(0, 20)].map((l) => JSON.parse(l) as { question: string; answer: string });
  rows.push({ question: 'key AKIAIOSFODNN7EXAMPLF mail bob@example.com', answer: 'x' });
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'question', data: rows.map((r) => r.question), type: 'STRING' },
      { name: 'answer', data: rows.map((r) => r.answer), type: 'STRING' },
    ],
    rowGroupSize: 25,
  });
  await writeFile(join(pq, 'p.parquet'), Buffer.from(buf));
  const files = await listFiles(['.'], pq);
  const shards = await planShards(files, { shardBytes: 1000 });
  assert.ok(shards.length >= 3, `split into ${shards.length} shards`);
  assert.ok(shards.every((s) => s.source.kind === 'rowGroups'));
  const single = await inspectDelivery({ paths: ['.'], cwd: pq, workers: 0 });
  assert.ok(single.findings.some((f) => f.detector === 'secrets' && f.location.row === rows.length));
  assert.ok(single.findings.some((f) => f.detector === 'duplicates'), 'duplicates across row groups');
  const detectors = builtinRegistry().createAll(DEFAULT_DETECTORS.map((id) => ({ id })));
  const reducer = new ShardReducer(detectors);
  for (const shard of shards) reducer.add(await inspectShard(shard, { detectorCount: detectors.length, exec: async (b) => processBatch(detectors, undefined, b), batchSize: 16 }));
  const report = reducer.finish({ files, formats: files.map((f) => detectFormat(f.absPath).format), roots: ['.'], startedAt: '', policy: DEFAULT_POLICY });
  assert.equal(untimed(report), untimed(single));
});

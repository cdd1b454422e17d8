// The same records stored as JSONL, JSON array, CSV, TSV, gzip and Parquet give the same record
// digests and roots (DESIGN §2; issue 2 "Records").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { merkleRoot } from '../core/index.js';
import { createScanPool, deliveryRoots, computeRecordRoots, readRecords, recordDigest, recordRoots, scanFile, type ScanPool } from './index.js';

const GSM8K = sharedPath('data', 'gsm8k-test.jsonl');
let dir: string;
let rows: { question: string; answer: string }[];
let pool: ScanPool;

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-records-'));
  const text = readFileSync(GSM8K, 'utf8');
  rows = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { question: string; answer: string });
  writeFileSync(join(dir, 'g.jsonl'), text);
  writeFileSync(join(dir, 'g-crlf.ndjson'), text.replace(/\n/g, '\r\n'));
  writeFileSync(join(dir, 'g.jsonl.gz'), gzipSync(text));
  writeFileSync(join(dir, 'g.json'), '[\n' + rows.map((r) => '  ' + JSON.stringify(r, null, 2).replace(/\n/g, '\n  ')).join(',\n') + '\n]\n');
  // Columns in the other order: record identity must not depend on column order.
  writeFileSync(join(dir, 'g.csv'), 'answer,question\r\n' + rows.map((r) => `${csvField(r.answer)},${csvField(r.question)}`).join('\r\n') + '\r\n');
  writeFileSync(join(dir, 'g.csv.gz'), gzipSync('question,answer\n' + rows.map((r) => `${csvField(r.question)},${csvField(r.answer)}`).join('\n')));
  const pq = parquetWriteBuffer({
    columnData: [
      { name: 'question', data: rows.map((r) => r.question), type: 'STRING' },
      { name: 'answer', data: rows.map((r) => r.answer), type: 'STRING' },
    ],
    rowGroupSize: 500,
  });
  writeFileSync(join(dir, 'g.parquet'), new Uint8Array(pq));
  // TSV cannot hold line breaks or tabs in a field (IANA text/tab-separated-values): compare it
  // with a JSONL of the same flattened records.
  const flat = rows.map((r) => ({ question: r.question.replace(/[\t\n]/g, ' '), answer: r.answer.replace(/[\t\n]/g, ' ') }));
  writeFileSync(join(dir, 'flat.tsv'), 'question\tanswer\n' + flat.map((r) => `${r.question}\t${r.answer}`).join('\n') + '\n');
  writeFileSync(join(dir, 'flat.jsonl'), flat.map((r) => JSON.stringify(r)).join('\n'));
  pool = createScanPool(2);
});

after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readDigests(name: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const item of readRecords(join(dir, name), { file: name })) out.push(recordDigest(item.value));
  return Buffer.concat(out);
}

const SAME = ['g.jsonl', 'g-crlf.ndjson', 'g.jsonl.gz', 'g.json', 'g.csv', 'g.csv.gz', 'g.parquet'];

test('gsm8k-test as JSONL, CRLF NDJSON, gzip JSONL, JSON array, CSV, gzip CSV and Parquet: identical digests', async () => {
  const ref = await readDigests('g.jsonl');
  assert.equal(ref.length, rows.length * 32);
  assert.equal(rows.length, 1319);
  for (const name of SAME) assert.ok((await readDigests(name)).equals(ref), name);
});

test('scanFile gives the same digests and recordRoot in every format, equal to readRecords + recordDigest', async () => {
  const ref = await readDigests('g.jsonl');
  const root = merkleRoot(Array.from({ length: rows.length }, (_, i) => ref.subarray(i * 32, i * 32 + 32))).toString('hex');
  for (const name of SAME) {
    const scan = await scanFile(join(dir, name), { file: name, pool });
    assert.equal(scan.records, rows.length, name);
    assert.ok(scan.digests.equals(ref), name);
    assert.equal(scan.recordRoot, root, name);
    assert.equal(scan.sha256, createHashHex(readFileSync(join(dir, name))), name);
    assert.equal(scan.size, readFileSync(join(dir, name)).length, name);
  }
  const tsv = await scanFile(join(dir, 'flat.tsv'), { file: 'flat.tsv', pool });
  const flat = await scanFile(join(dir, 'flat.jsonl'), { file: 'flat.jsonl' }); // own pool
  assert.ok(tsv.digests.equals(flat.digests));
  assert.equal(tsv.recordRoot, flat.recordRoot);
});

test('positions: JSONL lines, JSON-array element lines, CSV/Parquet rows', async () => {
  const j = await scanFile(join(dir, 'g.json'), { file: 'g.json', pool });
  assert.equal(j.positionKind, 'line');
  assert.equal(j.positions[0], 2);
  assert.equal(j.positions[1], 6); // each element spans 4 lines ({, question, answer, })
  const c = await scanFile(join(dir, 'g.csv'), { file: 'g.csv', pool });
  assert.equal(c.positionKind, 'row');
  assert.deepEqual(Array.from(c.positions.subarray(0, 3)), [1, 2, 3]);
  const items = [];
  for await (const it of readRecords(join(dir, 'g.csv'), { file: 'g.csv' })) if (items.push(it) >= 2) break;
  assert.equal(items[0]?.row, 1);
  assert.equal(items[1]?.line, 1 + 1 + (rows[0]?.answer.split('\n').length ?? 0)); // header + row 1's lines
});

test('recordRoots: ordered root matches core merkleRoot; set root is order-independent', async () => {
  const ref = await readDigests('g.jsonl');
  const n = ref.length / 32;
  const leaves = Array.from({ length: n }, (_, i) => ref.subarray(i * 32, i * 32 + 32));
  const r = recordRoots(ref);
  assert.equal(r.recordRoot, merkleRoot(leaves).toString('hex'));
  const sorted = [...leaves].sort(Buffer.compare);
  assert.equal(r.recordSetRoot, merkleRoot(sorted).toString('hex'));
  const reversed = Buffer.concat([...leaves].reverse());
  const rr = recordRoots(reversed);
  assert.equal(rr.recordSetRoot, r.recordSetRoot);
  assert.notEqual(rr.recordRoot, r.recordRoot);
  assert.deepEqual(await computeRecordRoots(ref, { pool }), r);
  // Empty and single-record deliveries.
  assert.equal(recordRoots(Buffer.alloc(0)).recordRoot, merkleRoot([]).toString('hex'));
  assert.equal(recordRoots(ref.subarray(0, 32)).recordSetRoot, merkleRoot([ref.subarray(0, 32)]).toString('hex'));
  assert.throws(() => recordRoots(Buffer.alloc(33)), RangeError);
});

test('deliveryRoots over several scans equals recordRoots over the concatenated digests', async () => {
  const a = await scanFile(join(dir, 'g.jsonl'), { file: 'g.jsonl', pool });
  const b = await scanFile(join(dir, 'flat.tsv'), { file: 'flat.tsv', pool });
  assert.deepEqual(await deliveryRoots([a, b], { pool }), recordRoots(Buffer.concat([a.digests, b.digests])));
  assert.deepEqual(await deliveryRoots([a]), recordRoots(a.digests));
});

function createHashHex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
import { createHash } from 'node:crypto';
import { sharedPath } from '../core/index.js';

// The worker-pool path of scanFile: multi-chunk files, absolute line numbers in errors, and
// agreement with readRecords + recordDigest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createScanPool, readRecords, recordDigest, recordRoots, scanFile, type ScanPool } from './index.js';

let dir: string;
let pool: ScanPool;
const N = 25000; // ~5 MB: several 2 MB chunks
let body: string[];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-scan-'));
  pool = createScanPool(2);
  // Varied records: unsorted keys, unicode, escapes, nested values, numbers.
  body = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ z: i, text: `réponse ${i} ${'x'.repeat(i % 300)} \u2028 "q"`, a: [i / 7, { y: null, b: i % 2 === 0 }], '1': 'k' }),
  );
});
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

test('multi-chunk JSONL and gzip JSONL: scanFile digests equal readRecords + recordDigest', async () => {
  const text = body.join('\n') + '\n';
  writeFileSync(join(dir, 'big.jsonl'), text);
  writeFileSync(join(dir, 'big.jsonl.gz'), gzipSync(text));
  const ref: Buffer[] = [];
  for await (const it of readRecords(join(dir, 'big.jsonl'), { file: 'big.jsonl' })) {
    assert.equal(it.line, it.index + 1);
    ref.push(recordDigest(it.value));
  }
  const digests = Buffer.concat(ref);
  for (const name of ['big.jsonl', 'big.jsonl.gz']) {
    const scan = await scanFile(join(dir, name), { file: name, pool });
    assert.equal(scan.records, N);
    assert.ok(scan.digests.equals(digests), name);
    assert.equal(scan.recordRoot, recordRoots(digests).recordRoot);
    assert.equal(scan.positions[N - 1], N);
  }
});

test('a malformed line deep in a multi-chunk file is reported with its absolute line', async () => {
  for (const bad of [1, 21234, N]) {
    const lines = [...body];
    lines[bad - 1] = '{"broken": ';
    const text = lines.join('\n');
    writeFileSync(join(dir, 'bad.jsonl'), text);
    writeFileSync(join(dir, 'bad.jsonl.gz'), gzipSync(text));
    for (const name of ['bad.jsonl', 'bad.jsonl.gz']) {
      await assert.rejects(scanFile(join(dir, name), { file: name, pool }), (e: unknown) => {
        const err = e as { code: string; location: { file: string; line: number } };
        assert.equal(err.code, 'RECORD_JSON_SYNTAX');
        assert.deepEqual([err.location.file, err.location.line], [name, bad]);
        return true;
      });
    }
  }
});

test('the first of two bad lines in different chunks is the one reported; the pool stays usable', async () => {
  const lines = [...body];
  lines[20000] = '{"a":1,"a":2}';
  lines[24000] = 'nope';
  writeFileSync(join(dir, 'two.jsonl'), lines.join('\n'));
  await assert.rejects(scanFile(join(dir, 'two.jsonl'), { file: 'two.jsonl', pool }), { code: 'RECORD_JSON_DUPLICATE_KEY', location: { file: 'two.jsonl', line: 20001, path: '$.a' } });
  writeFileSync(join(dir, 'small.jsonl'), body.slice(0, 10).join('\n'));
  assert.equal((await scanFile(join(dir, 'small.jsonl'), { file: 'small.jsonl', pool })).records, 10);
});

test('a line longer than a chunk is handled; the first record keeps a BOM-free value', async () => {
  const long = JSON.stringify({ t: 'y'.repeat(5 << 20) });
  writeFileSync(join(dir, 'long.jsonl'), '\ufeff' + [body[0], long, body[1]].join('\n'));
  const scan = await scanFile(join(dir, 'long.jsonl'), { file: 'long.jsonl', pool });
  assert.equal(scan.records, 3);
  assert.deepEqual(scan.digests.subarray(32, 64), recordDigest({ t: 'y'.repeat(5 << 20) }));
  assert.deepEqual(scan.digests.subarray(0, 32), recordDigest(JSON.parse(body[0] as string)));
});

test('empty file: zero records, empty-tree root', async () => {
  writeFileSync(join(dir, 'empty.jsonl'), '');
  const scan = await scanFile(join(dir, 'empty.jsonl'), { file: 'empty.jsonl', pool });
  assert.equal(scan.records, 0);
  assert.equal(scan.recordRoot, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

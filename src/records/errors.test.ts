// Bad input never crashes and never gives a partial result: each case is a coded one-line
// RecordError (exit code 2) naming the file and the line or row, from readRecords and scanFile alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { exitCodeFor, type SourceLocation } from '../core/index.js';
import { createScanPool, detectFormat, readRecords, RecordError, scanFile, type ScanPool } from './index.js';

let dir: string;
let pool: ScanPool;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-records-err-'));
  pool = createScanPool(2);
});
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drain(path: string, file: string): Promise<number> {
  let n = 0;
  for await (const _ of readRecords(path, { file })) n++;
  return n;
}

/** Writes `content` as `name`, then expects both readers to fail with `code` at `where`. */
async function expectFailure(name: string, content: string | Uint8Array, code: string, where: Omit<SourceLocation, 'file'>): Promise<RecordError> {
  const path = join(dir, name);
  writeFileSync(path, content);
  let first: RecordError | undefined;
  for (const run of [() => drain(path, name), () => scanFile(path, { file: name, pool })]) {
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof RecordError, `expected RecordError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.equal(err.kind, 'input');
      assert.equal(exitCodeFor(err), 2);
      assert.equal(err.location?.file, name);
      for (const [k, v] of Object.entries(where)) assert.equal(err.location?.[k as keyof SourceLocation], v, `${name} ${k}`);
      assert.ok(!err.oneLine().includes('\n'), 'one-line message');
      first ??= err;
      return true;
    });
  }
  return first as RecordError;
}

const good = (i: number): string => JSON.stringify({ id: i, text: `record ${i}` });
const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => good(i));

test('JSONL: malformed line is named by its line number', async () => {
  const body = [...lines(4), '{"id": 5, "text": ', ...lines(3)].join('\n') + '\n';
  const err = await expectFailure('bad.jsonl', body, 'RECORD_JSON_SYNTAX', { line: 5 });
  assert.match(err.oneLine(), /^RECORD_JSON_SYNTAX: bad\.jsonl:5/);
});

test('JSONL: duplicate keys are refused with the JSON path', async () => {
  const body = [...lines(2), '{"a": {"b": 1, "b": 2}}'].join('\n');
  await expectFailure('dup.jsonl', body, 'RECORD_JSON_DUPLICATE_KEY', { line: 3, path: '$.a.b' });
});

test('JSONL: a duplicate key hidden behind a \\u escape of ":" is still refused', async () => {
  await expectFailure('dup2.jsonl', good(0) + '\n{"a":"p","a":"\\u003a"}\n', 'RECORD_JSON_DUPLICATE_KEY', { line: 2 });
});

test('JSONL: a lone surrogate escape is refused', async () => {
  await expectFailure('sur.jsonl', '{"a":"\\ud800"}\n', 'RECORD_JSON_LONE_SURROGATE', { line: 1 });
});

test('JSONL: invalid UTF-8 is named by line', async () => {
  const body = Buffer.concat([Buffer.from(lines(3).join('\n') + '\n{"t":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
  await expectFailure('utf8.jsonl', body, 'RECORD_INVALID_UTF8', { line: 4 });
});

test('JSONL: blank line in the middle is an error, a single final newline is not', async () => {
  await expectFailure('blank.jsonl', [...lines(2), '', ...lines(2)].join('\n') + '\n', 'RECORD_BLANK_LINE', { line: 3 });
  await expectFailure('blank2.jsonl', lines(2).join('\n') + '\n  \r\n', 'RECORD_BLANK_LINE', { line: 3 });
  await expectFailure('blank3.jsonl', lines(2).join('\n') + '\n\n', 'RECORD_BLANK_LINE', { line: 3 });
  const ok = join(dir, 'ok.jsonl');
  writeFileSync(ok, lines(2).join('\r\n') + '\r\n');
  assert.equal(await drain(ok, 'ok.jsonl'), 2);
  assert.equal((await scanFile(ok, { file: 'ok.jsonl', pool })).records, 2);
});

test('JSONL: integers beyond 2^53 are refused (they would collide), large floats are fine', async () => {
  const err = await expectFailure('big.jsonl', good(0) + '\n{"x":[1,{"id":12345678901234567890}]}\n', 'RECORD_UNSAFE_INTEGER', { line: 2, path: '$.x[1].id' });
  assert.match(err.message, /string/);
  await expectFailure('big2.jsonl', '{"n":-9007199254740992}\n', 'RECORD_UNSAFE_INTEGER', { line: 1 });
  await expectFailure('inf.jsonl', '{"n":1e400}\n', 'RECORD_NUMBER_RANGE', { line: 1, path: '$.n' });
  const ok = join(dir, 'floats.jsonl');
  writeFileSync(ok, '{"a":1e300,"b":9007199254740991,"c":1.5e22}\n');
  assert.equal((await scanFile(ok, { file: 'floats.jsonl', pool })).records, 1);
});

test('JSONL: nesting deeper than 512 is refused, not a stack overflow', async () => {
  await expectFailure('deep.jsonl', '['.repeat(5000) + ']'.repeat(5000) + '\n', 'RECORD_JSON_TOO_DEEP', { line: 1 });
});

test('gzip: truncated and corrupt streams name the file', async () => {
  const gz = gzipSync(lines(2000).join('\n'));
  await expectFailure('trunc.jsonl.gz', gz.subarray(0, gz.length - 100), 'RECORD_GZIP_TRUNCATED', {});
  const bad = Buffer.from(gz);
  bad.writeUInt8((bad.readUInt8(bad.length - 6) ^ 0xff), bad.length - 6); // CRC32 trailer
  await expectFailure('crc.jsonl.gz', bad, 'RECORD_GZIP_INVALID', {});
  await expectFailure('notgz.jsonl.gz', 'plain text', 'RECORD_GZIP_INVALID', {});
});

test('CSV: wrong column count names the row', async () => {
  const err = await expectFailure('cols.csv', 'a,b\n1,2\n3,4\n5,6,7\n', 'RECORD_CSV_COLUMN_COUNT', { row: 3 });
  assert.match(err.oneLine(), /cols\.csv row 3/);
  await expectFailure('cols.tsv', 'a\tb\n1\t2\n3\n', 'RECORD_CSV_COLUMN_COUNT', { row: 2 });
});

test('CSV: unterminated quote, stray quote, duplicate header', async () => {
  await expectFailure('quote.csv', 'a,b\n1,"two\n3,4\n', 'RECORD_CSV_UNTERMINATED_QUOTE', { line: 2 });
  await expectFailure('stray.csv', 'a,b\n1,tw"o\n', 'RECORD_CSV_QUOTE', { line: 2 });
  await expectFailure('after.csv', 'a,b\n1,"two"x\n', 'RECORD_CSV_QUOTE', { line: 2 });
  await expectFailure('hdr.csv', 'a,b,a\n1,2,3\n', 'RECORD_CSV_DUPLICATE_HEADER', { line: 1 });
  await expectFailure('utf8.csv', Buffer.concat([Buffer.from('a\nx\n'), Buffer.from([0xff]), Buffer.from('\n')]), 'RECORD_INVALID_UTF8', { line: 3 });
});

test('CSV: quoted separators, doubled quotes and line breaks are data', async () => {
  const path = join(dir, 'fine.csv');
  writeFileSync(path, '\ufeffa,b\r\n"x, ""y""","line1\r\nline2"\r\n,\r\n');
  const values = [];
  for await (const it of readRecords(path, { file: 'fine.csv' })) values.push(it.value);
  assert.deepEqual(values, [{ a: 'x, "y"', b: 'line1\r\nline2' }, { a: '', b: '' }]);
});

test('JSON array: not an array, truncated, trailing data, empty element', async () => {
  await expectFailure('obj.json', '{"a":1}', 'RECORD_JSON_NOT_ARRAY', { line: 1 });
  await expectFailure('empty.json', '', 'RECORD_JSON_NOT_ARRAY', {});
  await expectFailure('trunc.json', '[\n{"a":1},\n{"a":2', 'RECORD_JSON_TRUNCATED', {});
  await expectFailure('trail.json', '[{"a":1}]\n[]', 'RECORD_JSON_TRAILING', { line: 2 });
  await expectFailure('comma.json', '[{"a":1},\n]', 'RECORD_JSON_SYNTAX', { line: 2 });
  await expectFailure('elem.json', '[{"a":1},\n {"a":2, "a":3}]', 'RECORD_JSON_DUPLICATE_KEY', { line: 2 });
  const path = join(dir, 'ok.json');
  writeFileSync(path, ' [ 1, "a,]", [2,[3]], {"b":"}"} , null ] \n');
  const values = [];
  for await (const it of readRecords(path, { file: 'ok.json' })) values.push(it.value);
  assert.deepEqual(values, [1, 'a,]', [2, [3]], { b: '}' }, null]);
});

test('Parquet: truncated or corrupt files are refused with RECORD_PARQUET_INVALID', async () => {
  const pq = Buffer.from(
    parquetWriteBuffer({ columnData: [{ name: 'text', data: Array.from({ length: 3000 }, (_, i) => `row ${i} `.repeat(5)), type: 'STRING' }], rowGroupSize: 1000 }),
  );
  await expectFailure('trunc.parquet', pq.subarray(0, pq.length - 10), 'RECORD_PARQUET_INVALID', {});
  await expectFailure('half.parquet', pq.subarray(0, pq.length >> 1), 'RECORD_PARQUET_INVALID', {});
  // Garble the data pages of the second row group, keep the footer intact.
  const bad = Buffer.from(pq);
  bad.fill(0x41, 4, pq.length - 400);
  await expectFailure('garbled.parquet', bad, 'RECORD_PARQUET_INVALID', {});
});

test('Parquet: int64 beyond 2^53 → decimal string, binary → $base64, NaN refused', async () => {
  const path = join(dir, 'types.parquet');
  writeFileSync(
    path,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'big', data: [9007199254740993n, 5n], type: 'INT64' },
          { name: 'bin', data: [new Uint8Array([0, 255]), new Uint8Array([1])], type: 'BYTE_ARRAY' },
          { name: 'ts', data: [new Date(Date.UTC(2024, 4, 1, 12)), new Date(0)], type: 'TIMESTAMP' },
        ],
      }),
    ),
  );
  const values = [];
  for await (const it of readRecords(path, { file: 'types.parquet' })) values.push(it.value);
  assert.deepEqual(values, [
    { big: '9007199254740993', bin: { $base64: 'AP8=' }, ts: '2024-05-01T12:00:00.000Z' },
    { big: 5, bin: { $base64: 'AQ==' }, ts: '1970-01-01T00:00:00.000Z' },
  ]);
  const nan = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1.5, NaN], type: 'DOUBLE' }] }));
  await expectFailure('nan.parquet', nan, 'RECORD_PARQUET_VALUE', { row: 2, path: '$.x' });
});

test('unknown extension asks for --format; --format overrides; missing file is coded', async () => {
  assert.throws(() => detectFormat('data.xlsx'), (e: unknown) => e instanceof RecordError && e.code === 'RECORD_FORMAT_UNKNOWN' && /--format/.test(e.message));
  assert.throws(() => detectFormat('README'), { code: 'RECORD_FORMAT_UNKNOWN' });
  assert.deepEqual(detectFormat('a/b.NDJSON.gz'), { format: 'jsonl', gzip: true });
  assert.deepEqual(detectFormat('dump.dat', 'csv'), { format: 'csv', gzip: false });
  assert.deepEqual(detectFormat('x.txt'), { format: 'text', gzip: false });
  await assert.rejects(() => scanFile(join(dir, 'nope.jsonl'), { file: 'nope.jsonl', pool }), { code: 'RECORD_FILE_UNREADABLE' });
  await assert.rejects(() => drain(join(dir, 'nope.csv'), 'nope.csv'), { code: 'RECORD_FILE_UNREADABLE' });
  await assert.rejects(() => drain(join(dir, 'nope.parquet'), 'nope.parquet'), { code: 'RECORD_FILE_UNREADABLE' });
});

test('text: one {"text": line} per line, CRLF stripped, no record for the final newline', async () => {
  const path = join(dir, 't.txt');
  writeFileSync(path, 'first\r\n\r\nthird\n');
  const values = [];
  for await (const it of readRecords(path, { file: 't.txt' })) values.push([it.line, it.value]);
  assert.deepEqual(values, [[1, { text: 'first' }], [2, { text: '' }], [3, { text: 'third' }]]);
  const scan = await scanFile(path, { file: 't.txt', pool });
  assert.equal(scan.records, 3);
  assert.equal(scan.sha256, createHash('sha256').update(readFileSync(path)).digest('hex'));
});
import { createHash } from 'node:crypto';

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { readRecords } from '../../records/index.js';
import { inspectDelivery } from '../engine/index.js';
import { redactDelivery } from './index.js';

const KEY = 'AKIA' + 'Q7RZ3WX5T2YBN6UK';
const EMAIL = 'j.doe@mailbox-example.org';

type Schema = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>;

async function records(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of readRecords(path, { file: 'x.parquet' })) out.push(r.value as Record<string, unknown>);
  return out;
}

function parquet(columnData: ColumnSource[], extra: { schema?: Schema } = {}): Buffer {
  return Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 2, ...extra }));
}

const NANOS = { type: 'INT64', name: 'ts', repetition_type: 'OPTIONAL', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } } as const;

/** Five rows in three row groups: secrets and PII in `text`, exact-value traps everywhere else. */
function sample(): Buffer {
  const schema = [
    { name: 'root', num_children: 9 },
    { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
    { name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
    { name: 'ok', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
    { name: 'n', type: 'INT32', repetition_type: 'OPTIONAL' },
    { name: 'f', type: 'FLOAT', repetition_type: 'OPTIONAL' },
    NANOS,
    { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
    { name: 'blob', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  ] as Schema;
  return parquet(
    [
      { name: 'text', data: [`key ${KEY} here`, `mail ${EMAIL}`, 'nothing to see', null, `${EMAIL} and ${KEY}`] },
      { name: 'id', data: [1n, -9007199254740993n, 9223372036854775807n, 0n, 42n] },
      { name: 'score', data: [0.1, -0, 1e300, null, 5e-324] },
      { name: 'ok', data: [true, false, null, true, false] },
      { name: 'n', data: [-2147483648, 2147483647, null, 0, 7] },
      { name: 'f', data: [0.1, null, 3.4028234663852886e38, -1.5, 0] },
      { name: 'ts', data: [1714564800123456789n, null, -1n, 0n, 1n] },
      { name: 'day', data: [19844, -1, null, 0, 2932896] },
      { name: 'blob', data: [new Uint8Array([0, 255, 7]), null, new Uint8Array([]), new Uint8Array([1]), null] },
    ],
    { schema },
  );
}

async function setup(files: Record<string, Buffer | string>): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'redact-pq-'));
  await mkdir(join(d, 'src'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(d, 'src', name), body);
  return d;
}

test('Parquet: strings redacted, every other value, the schema and the row groups kept exactly', async () => {
  const d = await setup({ 'a.parquet': sample() });
  const s = await redactDelivery({ paths: ['src'], out: 'out', cwd: d });
  assert.deepEqual(s.files, [{ path: 'a.parquet', format: 'parquet', records: 5, redacted: 3 }]);

  const before = await records(join(d, 'src/a.parquet'));
  const after = await records(join(d, 'out/a.parquet'));
  assert.equal(after.length, 5);
  assert.deepEqual(
    after.map((r) => r['text']),
    ['key [SECRET:aws-access-key-id] here', 'mail [EMAIL]', 'nothing to see', null, '[EMAIL] and [SECRET:aws-access-key-id]'],
  );
  // Everything but the redacted strings is the same record, in the same order.
  assert.deepEqual(
    after.map((r) => ({ ...r, text: null })),
    before.map((r) => ({ ...r, text: null })),
  );
  assert.equal(after[1]?.['id'], '-9007199254740993', 'INT64 beyond 2^53 kept exactly');
  assert.equal(after[0]?.['ts'], '2024-05-01T12:00:00.123456789Z', 'nanosecond timestamp kept exactly');

  const srcMeta = parquetMetadata(new Uint8Array(await readFile(join(d, 'src/a.parquet'))).buffer);
  const outMeta = parquetMetadata(new Uint8Array(await readFile(join(d, 'out/a.parquet'))).buffer);
  assert.deepEqual(outMeta.schema, srcMeta.schema, 'same column names, physical and logical types, repetition');
  assert.deepEqual(outMeta.row_groups.map((g) => g.num_rows), [2n, 2n, 1n], 'one output row group per source row group');
  assert.deepEqual(srcMeta.row_groups.map((g) => g.num_rows), [2n, 2n, 1n]);

  const src = await inspectDelivery({ paths: ['src'], cwd: d, workers: 0, detectors: ['secrets', 'pii'] });
  assert.ok(src.findings.length >= 4, 'the source has secrets and PII findings');
  const red = await inspectDelivery({ paths: ['out'], cwd: d, workers: 0, detectors: ['secrets', 'pii'] });
  assert.deepEqual(red.findings, [], 'the redacted copy has none');
});

test('Parquet: a string column annotated only with the STRING logical type, an empty file, several files', async () => {
  const schema = [
    { name: 'root', num_children: 1 },
    { name: 'content', type: 'BYTE_ARRAY', logical_type: { type: 'STRING' }, repetition_type: 'REQUIRED' },
  ] as Schema;
  const d = await setup({
    'b.parquet': parquet([{ name: 'content', data: [`write to ${EMAIL}`] }], { schema }),
    'empty.parquet': parquet([{ name: 'content', data: [], type: 'STRING' }]),
    'c.jsonl': `{"t":"${KEY}"}\n`,
  });
  const s = await redactDelivery({ paths: ['src'], out: 'out', cwd: d });
  assert.deepEqual(s.files.map((f) => [f.path, f.records, f.redacted]), [['b.parquet', 1, 1], ['c.jsonl', 1, 1], ['empty.parquet', 0, 0]]);
  assert.deepEqual(await records(join(d, 'out/b.parquet')), [{ content: 'write to [EMAIL]' }]);
  assert.deepEqual(await records(join(d, 'out/empty.parquet')), []);
  const outMeta = parquetMetadata(new Uint8Array(await readFile(join(d, 'out/b.parquet'))).buffer);
  assert.deepEqual(outMeta.schema[1]?.logical_type, { type: 'STRING' });
  assert.equal(outMeta.schema[1]?.converted_type, undefined);
});

test('Parquet: column types the copy cannot reproduce are refused by name and type, nothing written', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['json', parquet([{ name: 'meta', data: [{ a: EMAIL }], type: 'JSON' }]), /column "meta" has type BYTE_ARRAY JSON/],
    [
      'decimal',
      parquet([{ name: 'price', data: [12.5] }], { schema: [{ name: 'root', num_children: 1 }, { name: 'price', type: 'INT64', converted_type: 'DECIMAL', precision: 10, scale: 2, repetition_type: 'REQUIRED' }] as Schema }),
      /column "price" has type INT64 DECIMAL/,
    ],
    [
      'nested',
      parquet([{ name: 'tags', data: [['a', 'b']] }], {
        schema: [
          { name: 'root', num_children: 1 },
          { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ] as Schema,
      }),
      /column "tags" is a nested group/,
    ],
    ['uint64', parquet([{ name: 'u', data: [1n] }], { schema: [{ name: 'root', num_children: 1 }, { name: 'u', type: 'INT64', converted_type: 'UINT_64', repetition_type: 'REQUIRED' }] as Schema }), /column "u" has type INT64 UINT_64/],
  ];
  for (const [name, body, message] of cases) {
    // A JSONL file first in walk order: the refusal must come before any file is copied.
    const d = await setup({ '0.jsonl': `{"t":"${EMAIL}"}\n`, [`${name}.parquet`]: body });
    await assert.rejects(redactDelivery({ paths: ['src'], out: 'out', cwd: d }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'REDACT_FORMAT_UNSUPPORTED', name);
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`${name}\\.parquet`));
      return true;
    });
    assert.deepEqual(await readdir(d), ['src'], `${name}: no copy and no temporary directory`);
  }
});

test('Parquet: a truncated or non-Parquet file is refused as unreadable, nothing written', async () => {
  const good = sample();
  const d = await setup({ 'a.parquet': good.subarray(0, good.length - 20), 'b.jsonl': '{"t":"x"}\n' });
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'out', cwd: d }), { code: 'RECORD_PARQUET_INVALID' });
  await writeFile(join(d, 'src/a.parquet'), 'PAR1');
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'out', cwd: d }), { code: 'RECORD_PARQUET_INVALID' });
  assert.deepEqual(await readdir(d), ['src']);
});

test('Parquet: invalid UTF-8 in a string column is refused at its row, nothing left behind', async () => {
  const schema = [
    { name: 'root', num_children: 1 },
    { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  ] as Schema;
  const body = parquet([{ name: 's', data: [new TextEncoder().encode('fine'), new Uint8Array([0x66, 0xff, 0x66])] }], { schema });
  const d = await setup({ 'a.parquet': body });
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'out', cwd: d }), (err: Error & { code?: string; location?: { row?: number } }) => {
    assert.equal(err.code, 'RECORD_INVALID_UTF8');
    assert.equal(err.location?.row, 2);
    return true;
  });
  assert.deepEqual(await readdir(d), ['src']);
});

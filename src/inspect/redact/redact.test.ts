import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { readRecords } from '../../records/index.js';
import { redactDelivery, redactText, redactValue } from './index.js';

const KEY = 'AKIA' + 'Q7RZ3WX5T2YBN6UK';
const EMAIL = 'j.doe@mailbox-example.org';

async function records(path: string, file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of readRecords(path, { file })) out.push(r.value);
  return out;
}

test('redactValue replaces secrets and PII in every string value, keeps keys, numbers and structure', () => {
  assert.equal(redactText(`key=${KEY} mail ${EMAIL}`), 'key=[SECRET:aws-access-key-id] mail [EMAIL]');
  const src = JSON.parse(`{"__proto__": "${EMAIL}", "n": 3, "deep": [{"t": "id ${KEY}"}, null, true], "${EMAIL}": "k"}`) as Record<string, unknown>;
  const { value, changed } = redactValue(src);
  assert.ok(changed);
  const v = value as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), Object.keys(src));
  assert.equal(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, '[EMAIL]');
  assert.deepEqual(v['deep'], [{ t: 'id [SECRET:aws-access-key-id]' }, null, true]);
  assert.equal(v['n'], 3);
  const clean = { a: 'nothing here', b: [1, 2] };
  assert.equal(redactValue(clean).value, clean, 'unchanged values are returned as is');
  assert.equal(redactValue(clean).changed, false);
});

test('every format round-trips with the same record count and order; gz stays gz', async () => {
  const d = await mkdtemp(join(tmpdir(), 'redact-'));
  const src = join(d, 'src');
  await mkdir(join(src, 'nested'), { recursive: true });
  await writeFile(join(src, 'a.jsonl'), `{"t":"mail ${EMAIL}"}\n{"t":"plain"}\n[1,"${KEY}"]\n`);
  await writeFile(join(src, 'b.json'), `[{"t": "x"}, {"t": "${KEY}"}]`);
  await writeFile(join(src, 'nested/c.tsv'), `id\ttext\n1\t${EMAIL}\n2\t"quoted" stays\n`);
  await writeFile(join(src, 'd.txt'), `first\n\nkey ${KEY}\n`);
  await writeFile(join(src, 'e.jsonl.gz'), gzipSync(`{"t":"${EMAIL}"}\n`));
  await writeFile(join(src, 'f.csv'), 'only,header\n');
  await writeFile(join(src, 'g.json'), '[]');
  const s = await redactDelivery({ paths: [src], out: join(d, 'out') });
  assert.deepEqual(s.files.map((f) => [f.path, f.records, f.redacted]), [['a.jsonl', 3, 2], ['b.json', 2, 1], ['d.txt', 3, 1], ['e.jsonl.gz', 1, 1], ['f.csv', 0, 0], ['g.json', 0, 0], ['nested/c.tsv', 2, 1]]);
  assert.deepEqual(await records(join(d, 'out/a.jsonl'), 'a'), [{ t: 'mail [EMAIL]' }, { t: 'plain' }, [1, '[SECRET:aws-access-key-id]']]);
  assert.deepEqual(await records(join(d, 'out/b.json'), 'b'), [{ t: 'x' }, { t: '[SECRET:aws-access-key-id]' }]);
  assert.equal(await readFile(join(d, 'out/nested/c.tsv'), 'utf8'), 'id\ttext\n1\t[EMAIL]\n2\t"quoted" stays\n');
  assert.equal(await readFile(join(d, 'out/d.txt'), 'utf8'), 'first\n\nkey [SECRET:aws-access-key-id]\n');
  assert.equal(gunzipSync(await readFile(join(d, 'out/e.jsonl.gz'))).toString(), '{"t":"[EMAIL]"}\n');
  assert.equal(await readFile(join(d, 'out/f.csv'), 'utf8'), 'only,header\n');
  assert.deepEqual(await records(join(d, 'out/g.json'), 'g'), []);
  assert.deepEqual((await readdir(d)).sort(), ['out', 'src'], 'no temporary directory left');
});

test('refuses: an existing target, a target inside the source, an unreadable Parquet file; a failed run leaves nothing', async () => {
  const d = await mkdtemp(join(tmpdir(), 'redact-'));
  await mkdir(join(d, 'src'));
  await writeFile(join(d, 'src/a.jsonl'), '{"t":"x"}\n');
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'src/red', cwd: d }), { code: 'REDACT_OUT_INSIDE_SOURCE' });
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'src', cwd: d }), { code: 'REDACT_OUT_INSIDE_SOURCE' });
  await assert.rejects(redactDelivery({ paths: ['a.jsonl'], out: '.', cwd: join(d, 'src') }), { code: 'REDACT_OUT_INSIDE_SOURCE' });
  await mkdir(join(d, 'taken'));
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'taken', cwd: d }), { code: 'REDACT_OUT_EXISTS' });
  await writeFile(join(d, 'src/b.parquet'), 'PAR1');
  await assert.rejects(redactDelivery({ paths: ['src'], out: 'out', cwd: d }), { code: 'RECORD_PARQUET_INVALID' });
  await writeFile(join(d, 'src/b.parquet'), '');
  await writeFile(join(d, 'bad.jsonl'), '{"t":"x"}\n{oops\n');
  await assert.rejects(redactDelivery({ paths: ['bad.jsonl'], out: 'out2', cwd: d }), { code: 'RECORD_JSON_SYNTAX' });
  assert.ok(!(await readdir(d)).some((n) => n.startsWith('out2')), 'no partial copy');
});

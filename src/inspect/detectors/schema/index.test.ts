import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Finding, RecordView } from '../../types.js';
import { featureList } from '../../features.js';
import { analyzeRecord } from '../../fields/index.js';
import { createSchemaDetector, schemaFeatures, topKey } from './index.js';
import { sharedPath } from '../../../core/index.js';

const det = createSchemaDetector();

function viewOf(value: unknown, index: number): RecordView {
  return { file: 'd.jsonl', index, line: index + 1, value, fields: analyzeRecord(value).fields };
}
/** Runs features on every record (through a structured clone, as a worker would) and reduces. */
function inspect(values: unknown[], d = det): Finding[] {
  const items = values.map((v, i) => ({
    ref: { file: 'd.jsonl', index: i, line: i + 1 },
    features: structuredClone(d.features(viewOf(v, i))) as NonNullable<ReturnType<typeof d.features>>,
  }));
  return [...d.reduce(featureList(items))];
}
function alpaca(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ instruction: `task ${i}`, input: '', output: `answer ${i}` }));
}
function summary(f: Finding[]): Array<[string, number]> {
  return f.map((x) => [x.rule, x.location.index]);
}

test('clean deliveries give no findings (alpaca with empty inputs, gsm8k, hh-rlhf)', () => {
  assert.deepEqual(inspect(alpaca(50)), []);
  const gsm = readFileSync(sharedPath('data', 'gsm8k-test.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 200).map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(inspect(gsm), []);
  const hh = gunzipSync(readFileSync(sharedPath('data', 'hh-rlhf-harmless-base-test.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean).slice(0, 200).map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(inspect(hh), []);
});

test('non-object and empty records are reported one by one', () => {
  const recs: unknown[] = [...alpaca(30)];
  recs[3] = 'just text';
  recs[7] = [1, 2];
  recs[9] = null;
  recs[11] = {};
  recs[12] = { instruction: '', input: ' ', output: null };
  const f = inspect(recs);
  assert.deepEqual(summary(f), [
    ['non-object-record', 3],
    ['non-object-record', 7],
    ['non-object-record', 9],
    ['empty-record', 11],
    ['empty-record', 12],
  ]);
  assert.equal(f[0]?.data?.['kind'], 'string');
  assert.deepEqual(f[0]?.location, { file: 'd.jsonl', index: 3, line: 4 });
});

test('empty prompt or response in an otherwise filled record', () => {
  const recs = alpaca(30);
  recs[5] = { instruction: 'do it', input: '', output: '   ' };
  recs[6] = { instruction: '', input: '', output: 'orphan answer' };
  const f = inspect(recs);
  assert.deepEqual(summary(f), [
    ['empty-role-field', 5],
    ['empty-role-field', 6],
  ]);
  assert.deepEqual(f[0]?.data?.['roles'], ['response']);
  assert.deepEqual(f[1]?.data?.['roles'], ['prompt']);
});

test('inconsistent field types: minority records are reported with the majority type', () => {
  const recs = Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, label: 'pos' }) as Record<string, unknown>);
  recs[4] = { text: 't4', label: 1 };
  recs[8] = { text: ['t8'], label: 'neg' };
  const f = inspect(recs);
  assert.deepEqual(summary(f), [
    ['inconsistent-type', 4],
    ['inconsistent-type', 8],
  ]);
  assert.equal(f[0]?.data?.['type'], 'number');
  assert.equal(f[0]?.data?.['expected'], 'string');
  assert.equal(f[0]?.location.field, '$.label');
  assert.match(f[0]?.message ?? '', /number here but a string in 97\.5% of records/);
});

test('hard negatives: nulls are absence, and an even split is one dataset-level note', () => {
  const withNull = alpaca(30).map((r, i) => (i % 7 === 0 ? { ...r, input: null } : r));
  assert.deepEqual(inspect(withNull), []);
  const split = Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, label: i % 2 ? 1 : 'one' }));
  const f = inspect(split);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.severity, 'low');
  assert.deepEqual(f[0]?.data?.['types'], { number: 20, string: 20 });
});

test('missing role field in a preference delivery, missing ordinary key', () => {
  const recs = Array.from({ length: 40 }, (_, i) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}`, id: i }) as Record<string, unknown>);
  recs[10] = { prompt: 'p', chosen: 'c', id: 10 };
  recs[20] = { prompt: 'p', chosen: 'c', rejected: 'r' };
  const f = inspect(recs);
  assert.deepEqual(summary(f), [
    ['missing-role-field', 10],
    ['missing-key', 20],
  ]);
  assert.equal(f[0]?.data?.['key'], 'rejected');
  assert.equal(f[0]?.severity, 'medium');
  assert.equal(f[1]?.severity, 'low');
});

test('unexpected keys carried by a small minority', () => {
  const recs = alpaca(60) as Array<Record<string, unknown>>;
  recs[30] = { ...recs[30], trigger_source: 'x' };
  recs[31] = { ...recs[31], trigger_source: 'y' };
  const f = inspect(recs);
  assert.deepEqual(summary(f), [
    ['unexpected-key', 30],
    ['unexpected-key', 31],
  ]);
  assert.equal(f[0]?.location.field, '$.trigger_source');
});

test('small deliveries skip cross-record rules but keep per-record ones', () => {
  const recs: unknown[] = [{ text: 'a', label: 'x' }, { text: 'b', label: 2 }, {}];
  assert.deepEqual(summary(inspect(recs)), [['empty-record', 2]]);
});

test('findings per rule are capped and the last says how many more', () => {
  const d = createSchemaDetector({ maxPerRule: 3 });
  const f = inspect(Array.from({ length: 10 }, () => 5), d);
  assert.equal(f.length, 3);
  assert.equal(f[2]?.data?.['moreRecords'], 7);
});

test('features are compact and independent of key order for type checks; topKey parses paths', () => {
  const feats = schemaFeatures(viewOf({ 'odd key': 'x', n: 1, a: [1], o: {}, z: null, b: true }, 0));
  assert.deepEqual(feats.keys, ['odd key', 'n', 'a', 'o', 'z', 'b']);
  assert.equal(feats.types, 'snaozb');
  assert.equal(topKey('$.messages[1].content'), 'messages');
  assert.equal(topKey('$["odd key"][0]'), 'odd key');
  assert.equal(topKey('$["a\\"b"].c'), 'a"b');
  assert.equal(topKey('$'), undefined);
  const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
  assert.equal(schemaFeatures(viewOf(many, 0)).keys.length, 256);
});

test('reduce is deterministic and ordered by file then index', () => {
  const recs: unknown[] = [...alpaca(30)];
  recs[20] = 1;
  recs[2] = {};
  const a = inspect(recs);
  assert.deepEqual(a, inspect(recs));
  assert.deepEqual(summary(a), [
    ['empty-record', 2],
    ['non-object-record', 20],
  ]);
});

test('records of one shape share their key lists; the shared and the cloned lists reduce to the same findings', () => {
  const recs = Array.from({ length: 80 }, (_, i) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}`, id: i }) as Record<string, unknown>);
  recs[10] = { prompt: 'p', chosen: 'c', id: 10 };
  recs[20] = { prompt: 'p', chosen: 'c', rejected: 'r' };
  recs[30] = { prompt: 'p', chosen: 'c', rejected: 'r', id: 'thirty' };
  recs[40] = { ...recs[40], trigger: 'x' };
  recs[41] = { ...recs[41], trigger: 'y' };
  recs[50] = { id: 50, prompt: 'p', chosen: 'c', rejected: 'r' };
  const shared = recs.map((v, i) => ({ ref: { file: 'd.jsonl', index: i, line: i + 1 }, features: det.features(viewOf(v, i)) as NonNullable<ReturnType<typeof det.features>> }));
  assert.equal(shared[1]?.features.keys, shared[2]?.features.keys, 'same shape, same list');
  assert.notEqual(shared[50]?.features.keys, shared[51]?.features.keys, 'another key order is another shape');
  assert.deepEqual(shared[50]?.features.keys, ['id', 'prompt', 'chosen', 'rejected']);
  const got = [...det.reduce(featureList(shared))];
  assert.deepEqual(got, inspect(recs), 'cloned (unshared) features give the same findings');
  assert.deepEqual(summary(got), [
    ['missing-role-field', 10],
    ['missing-key', 20],
    ['inconsistent-type', 30],
    ['unexpected-key', 40],
    ['unexpected-key', 41],
  ]);
});

import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Detector, Finding } from '../types.js';
import { inspectDelivery, listFiles } from './index.js';
import { sharedPath } from '../../core/index.js';

const DATA = pathToFileURL(`${sharedPath('data')}/`);
const lines = (name: string, n: number, from = 0): string[] => readFileSync(new URL(name, DATA), 'utf8').split('\n').filter(Boolean).slice(from, from + n);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inspect-engine-'));
  await mkdir(join(dir, 'd/sub'), { recursive: true });
  await writeFile(join(dir, 'd/b.jsonl'), lines('gsm8k-train.jsonl', 30).join('\n') + '\n');
  await writeFile(join(dir, 'd/sub/a.csv'), 'text,label\nhello there,1\nfine day,0\n');
  await writeFile(join(dir, 'd/B.txt'), 'line one\nline two\n');
  await writeFile(join(dir, 'd.seal'), 'a sibling seal is never walked');
});

test('files are listed in bytewise order; several roots get their name as prefix; clashes are refused', async () => {
  const files = await listFiles(['d'], dir);
  assert.deepEqual(files.map((f) => f.path), ['B.txt', 'b.jsonl', 'sub/a.csv']);
  const two = await listFiles(['d', 'd/sub/a.csv'], dir);
  assert.deepEqual(two.map((f) => f.path), ['d/B.txt', 'd/b.jsonl', 'd/sub/a.csv', 'a.csv']);
  await assert.rejects(listFiles(['d/sub/a.csv', 'd/sub/a.csv'], dir), { code: 'INSPECT_PATH_CONFLICT' });
  await assert.rejects(listFiles(['missing'], dir), { code: 'INSPECT_PATH_MISSING' });
  await assert.rejects(listFiles([], dir), { code: 'INSPECT_PATH_MISSING' });
});

test('nothing is skipped silently: symlinks are refused, a seal directory inside the delivery is read (and fails)', async () => {
  const s = await mkdtemp(join(tmpdir(), 'inspect-link-'));
  await writeFile(join(s, 'a.jsonl'), '{"text":"x"}\n');
  await symlink(join(s, 'a.jsonl'), join(s, 'b.jsonl'));
  await assert.rejects(inspectDelivery({ paths: [s], workers: 0 }), { code: 'INSPECT_PATH_SYMLINK' });
  const t = await mkdtemp(join(tmpdir(), 'inspect-seal-'));
  await writeFile(join(t, 'a.jsonl'), '{"text":"x"}\n');
  await mkdir(join(t, 'a.jsonl.seal'));
  await writeFile(join(t, 'a.jsonl.seal/records.sidecar'), 'x');
  await assert.rejects(inspectDelivery({ paths: [t], workers: 0 }), { code: 'RECORD_FORMAT_UNKNOWN' });
});

test('mixed formats: per-file counts, locations relative to the root, same report with and without workers', async () => {
  const progress: number[] = [];
  const a = await inspectDelivery({ paths: ['d'], cwd: dir, workers: 2, batchSize: 7, onProgress: (p) => progress.push(p.records) });
  assert.deepEqual(a.files.map((f) => [f.path, f.format, f.records]), [['B.txt', 'text', 2], ['b.jsonl', 'jsonl', 30], ['sub/a.csv', 'csv', 2]]);
  assert.equal(a.counts.records, 34);
  assert.equal(progress.at(-1), 34);
  assert.ok(progress.every((x, i) => i === 0 || x >= (progress[i - 1] as number)));
  const b = await inspectDelivery({ paths: ['d'], cwd: dir, workers: 0 });
  assert.deepEqual(b.findings, a.findings);
  assert.deepEqual(b.counts, a.counts);
});

test('a malformed record anywhere aborts the run with the reader error (workers shut down)', async () => {
  const m = await mkdtemp(join(tmpdir(), 'inspect-bad-'));
  await writeFile(join(m, 'a.jsonl'), lines('gsm8k-train.jsonl', 1200).join('\n') + '\n{"question": 1, "question": 2}\n');
  await assert.rejects(inspectDelivery({ paths: [m], workers: 2, batchSize: 100 }), (e: { code: string; location: { file: string; line: number } }) => {
    return e.code === 'RECORD_JSON_DUPLICATE_KEY' && e.location.file === 'a.jsonl' && e.location.line === 1201;
  });
  await writeFile(join(m, 'a.jsonl'), '{"text":"ok"}\n');
  await writeFile(join(m, 'notes.docx'), 'x');
  await assert.rejects(inspectDelivery({ paths: [m], workers: 0 }), { code: 'RECORD_FORMAT_UNKNOWN' });
});

test('detector instances run beside built-ins; a crashing detector is an internal error naming the record; ids are unique', async () => {
  const seen: number[] = [];
  const custom: Detector = {
    id: 'injection',
    kind: 'record',
    inspect(r) {
      seen.push(r.index);
      return r.index === 3 ? [{ detector: 'injection', rule: 'custom', severity: 'high', confidence: 1, location: { file: r.file, index: r.index }, message: 'custom hit' } satisfies Finding] : [];
    },
  };
  const rep = await inspectDelivery({ paths: ['d/b.jsonl'], cwd: dir, detectors: ['secrets', custom], workers: 1 });
  assert.equal(seen.length, 30);
  assert.deepEqual(rep.findings.map((f) => f.rule), ['custom']);
  assert.equal(rep.verdict, 'review');
  const boom: Detector = {
    id: 'unicode',
    kind: 'record',
    inspect(r) {
      if (r.index === 5) throw new TypeError('bad');
      return [];
    },
  };
  await assert.rejects(inspectDelivery({ paths: ['d/b.jsonl'], cwd: dir, detectors: [boom], workers: 0 }), (e: { code: string; kind: string; location: { line: number } }) => e.code === 'INSPECT_DETECTOR_FAILED' && e.kind === 'internal' && e.location.line === 6);
  await assert.rejects(inspectDelivery({ paths: ['d'], cwd: dir, detectors: ['secrets', 'secrets'] }), { code: 'INSPECT_DETECTOR_DUPLICATE' });
  await assert.rejects(inspectDelivery({ paths: ['d'], cwd: dir, detectors: ['unicode', boom] }), { code: 'INSPECT_DETECTOR_DUPLICATE' });
  await assert.rejects(inspectDelivery({ paths: ['d'], cwd: dir, detectors: ['drift'] }), { code: 'INSPECT_DETECTOR_OPTIONS' });
});

test('--benchmark: benchmark items copied into a delivery are reported as contamination, naming the item', async () => {
  const b = await mkdtemp(join(tmpdir(), 'inspect-bench-'));
  const test5 = lines('gsm8k-test.jsonl', 5);
  await writeFile(join(b, 'gsm8k-test.jsonl'), test5.join('\n') + '\n');
  await writeFile(join(b, 'delivery.jsonl'), [...lines('gsm8k-train.jsonl', 40), test5[2] as string].join('\n') + '\n');
  const rep = await inspectDelivery({ paths: ['delivery.jsonl'], cwd: b, benchmarks: ['gsm8k-test.jsonl'], workers: 1 });
  const hits = rep.findings.filter((f) => f.detector === 'contamination');
  assert.deepEqual(hits.map((f) => f.location.index), [40]);
  assert.match(JSON.stringify(hits[0]?.data), /gsm8k-test\.jsonl/);
  assert.notEqual(rep.verdict, 'accept');
});

test('--baseline: a single annotator suddenly producing most records is drift', async () => {
  const b = await mkdtemp(join(tmpdir(), 'inspect-drift-'));
  const rows = (n: number, from: number, ann: (i: number) => string): string =>
    lines('gsm8k-train.jsonl', n, from).map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), annotator: ann(i) })).join('\n') + '\n';
  await writeFile(join(b, 'old.jsonl'), rows(200, 0, (i) => `a${i % 10}`));
  await writeFile(join(b, 'new.jsonl'), rows(200, 200, (i) => (i % 5 === 0 ? `a${i % 10}` : 'a7')));
  const rep = await inspectDelivery({ paths: ['new.jsonl'], cwd: b, baseline: 'old.jsonl', workers: 0 });
  assert.ok(rep.findings.some((f) => f.detector === 'drift' && f.rule === 'annotator-share'));
  const same = await inspectDelivery({ paths: ['old.jsonl'], cwd: b, baseline: 'old.jsonl', workers: 0 });
  assert.equal(same.counts.byDetector['drift'], 0);
});

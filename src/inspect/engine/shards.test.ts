/** The sharded engine: whole shards on workers, reduced in order; the per-rule findings cap with exact counts. */
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { DEFAULT_POLICY, SEVERITIES, type Policy } from '../policy/index.js';
import type { DatasetDetector, Finding, InspectReport } from '../types.js';
import { detectFormat } from '../../records/index.js';
import { builtinRegistry, compactFindings, DEFAULT_DETECTORS, expandFindings, InspectError, reduceDetector, inspectDelivery, inspectShard, listFiles, planShards, processBatch, ShardReducer, type CompactFindings, type InspectProgress, type ShardOutput } from './index.js';
import { sharedPath } from '../../core/index.js';

const DATA = pathToFileURL(`${sharedPath('data')}/`);
const gsm = readFileSync(new URL('gsm8k-train.jsonl', DATA), 'utf8').split('\n').filter(Boolean);
let dir: string;

/** A report without its timing fields, as a string. */
function untimed(r: InspectReport): string {
  const { startedAt: _s, finishedAt: _f, detectors, ...rest } = r;
  return JSON.stringify({ ...rest, detectors: detectors.map((d) => ({ ...d, ms: 0 })) });
}

const EMAIL = (i: number): string => `reach me at user${i}@hillhouse-mail.net`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inspect-shards-'));
  // 600 records: an email in every 4th, duplicates across any cut, a BOM on line 1.
  const rows = gsm.slice(0, 560).map((l, i) => {
    const v = JSON.parse(l) as { question: string; answer: string };
    return JSON.stringify(i % 4 === 0 ? { ...v, question: `${v.question} ${EMAIL(i)}` } : v);
  });
  await writeFile(join(dir, 'a.jsonl'), '\uFEFF' + [...rows, ...rows.slice(0, 40)].join('\n') + '\n');
  await writeFile(join(dir, 'b.csv'), 'text,label\nhello there,1\nfine day,0\nmail bob@example.org now,1\n');
  await writeFile(join(dir, 'c.txt'), Array.from({ length: 900 }, (_, i) => `line ${i} of a text file ${i % 7}`).join('\n'));
});

test('shards on worker threads give the single-thread, one-shard-per-file report exactly', async () => {
  const whole = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, shardBytes: 1 << 30, maxFindingsPerRule: 0 });
  assert.ok(whole.findings.some((f) => f.detector === 'duplicates') && whole.findings.some((f) => f.detector === 'pii'));
  const files = await listFiles(['.'], dir);
  assert.ok((await planShards(files, { shardBytes: 10_000 })).filter((s) => s.file === 'a.jsonl').length >= 10, 'a.jsonl is cut into ranges');
  const progress: InspectProgress[] = [];
  const threaded = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 2, shardBytes: 10_000, batchSize: 33, maxFindingsPerRule: 0, onProgress: (p) => progress.push(p) });
  assert.equal(untimed(threaded), untimed(whole));
  const ranged = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, shardBytes: 7_000, maxFindingsPerRule: 0 });
  assert.equal(untimed(ranged), untimed(whole));
  // A large delivery's reduces run one at a time on the calling thread after the workers exit: same report.
  const sequential = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 2, shardBytes: 10_000, maxFindingsPerRule: 0, parallelReduceMaxRecords: 0 });
  assert.equal(untimed(sequential), untimed(whole));
  // Progress: monotonic, ends at every record and byte.
  assert.ok(progress.every((p, i) => i === 0 || (p.records >= (progress[i - 1] as InspectProgress).records && p.bytes >= (progress[i - 1] as InspectProgress).bytes)));
  assert.equal(progress.at(-1)?.records, whole.counts.records);
  assert.equal(progress.at(-1)?.bytes, whole.counts.bytes);
});

test('a malformed line in the middle of a ranged shard keeps its real line number (threads and in-process)', async () => {
  const m = await mkdtemp(join(tmpdir(), 'inspect-shards-bad-'));
  const rows = gsm.slice(0, 900);
  rows.splice(700, 0, '{"question": "a", "question": "b"}');
  await writeFile(join(m, 'a.jsonl'), rows.join('\n') + '\n');
  const shards = await planShards(await listFiles([m]), { shardBytes: 50_000 });
  const starts = shards.map((s) => (s.source.kind === 'lines' ? s.source.firstLine : assert.fail('expected line ranges')));
  const at = starts.findLastIndex((l) => l <= 701);
  assert.ok((starts[at] as number) > 1 && (starts[at] as number) < 701 && (starts[at + 1] ?? Infinity) > 701, 'line 701 sits inside a range that starts after line 1');
  for (const workers of [0, 2]) {
    await assert.rejects(inspectDelivery({ paths: [m], workers, shardBytes: 50_000, batchSize: 50 }), (e: { code: string; location: { file: string; line: number } }) => {
      assert.equal(e.code, 'RECORD_JSON_DUPLICATE_KEY');
      assert.equal(e.location.file, 'a.jsonl');
      assert.equal(e.location.line, 701);
      return true;
    });
  }
});

test('the findings cap keeps the first N per rule in delivery order; counts, verdict and reasons stay exact', async () => {
  const full = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, shardBytes: 9_000, maxFindingsPerRule: 0 });
  const emails = full.findings.filter((f) => f.detector === 'pii' && f.rule === 'email');
  assert.ok(emails.length > 100, `${emails.length} emails planted`);
  assert.equal(full.truncated, undefined, 'cap 0 lists everything and adds no field');
  for (const cap of [1, 7]) {
    const r = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 2, shardBytes: 9_000, maxFindingsPerRule: cap });
    assert.deepEqual(r.counts, full.counts, 'counts are over every finding');
    assert.deepEqual(r.detectors.map((d) => d.findings), full.detectors.map((d) => d.findings));
    assert.equal(r.verdict, full.verdict);
    assert.deepEqual(r.policy, full.policy);
    const perRule = new Map<string, Finding[]>();
    for (const f of full.findings) perRule.set(`${f.detector}/${f.rule}`, [...(perRule.get(`${f.detector}/${f.rule}`) ?? []), f]);
    const over = [...perRule].filter(([, fs]) => fs.length > cap);
    assert.deepEqual(
      r.truncated?.map((t) => [`${t.detector}/${t.rule}`, t.shown, t.total]).sort(),
      over.map(([k, fs]) => [k, cap, fs.length]).sort(),
    );
    // Record findings of a rule arrive in record order: the kept ones are the first in the report's order.
    const kept = r.findings.filter((f) => f.detector === 'pii' && f.rule === 'email');
    assert.deepEqual(kept, emails.slice(0, cap));
    assert.equal(r.findings.length, [...perRule.values()].reduce((s, fs) => s + Math.min(cap, fs.length), 0));
  }
  await assert.rejects(inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, maxFindingsPerRule: -1 }), { code: 'INSPECT_OPTIONS' });
  await assert.rejects(inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, maxFindingsPerRule: 1.5 }), { code: 'INSPECT_OPTIONS' });
});

test('the cap counts only findings the policy keeps: ignored ones are neither listed nor counted', async () => {
  const policy: Policy = { ...DEFAULT_POLICY, ignore: [{ rule: 'pii/email', file: 'a.jsonl' }] };
  const r = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0, policy, maxFindingsPerRule: 1 });
  assert.ok(!r.findings.some((f) => f.rule === 'email' && f.location.file === 'a.jsonl'));
  assert.ok(!r.truncated?.some((t) => t.rule === 'email'), 'b.csv has one email: not truncated');
  assert.equal(r.findings.filter((f) => f.rule === 'email').length, 1);
});

test('a reducer given the policy up front builds the same report as one that holds every finding', async () => {
  const files = await listFiles(['.'], dir);
  const detectors = builtinRegistry().createAll(DEFAULT_DETECTORS.map((id) => ({ id })));
  const shards = await planShards(files, { shardBytes: 12_000 });
  const outputs = [];
  for (const s of shards) outputs.push(await inspectShard(s, { detectorCount: detectors.length, exec: async (b) => processBatch(detectors, undefined, b), batchSize: 41 }));
  const finish = { files, formats: files.map((f) => detectFormat(f.absPath).format), roots: ['.'], startedAt: '', policy: DEFAULT_POLICY };
  for (const cap of [0, 1, 5]) {
    const streaming = new ShardReducer(detectors, { policy: DEFAULT_POLICY, maxFindingsPerRule: cap });
    const buffered = new ShardReducer(detectors);
    for (const o of outputs) {
      streaming.add(o);
      buffered.add(o);
    }
    assert.equal(untimed(streaming.finish(finish)), untimed(buffered.finish({ ...finish, maxFindingsPerRule: cap })));
  }
  const other = new ShardReducer(detectors, { policy: { ...DEFAULT_POLICY } });
  assert.throws(() => other.finish(finish), { code: 'INSPECT_OPTIONS' });
  assert.throws(() => new ShardReducer(detectors, { maxFindingsPerRule: 3 }), { code: 'INSPECT_OPTIONS' });
});

test('shards that send only the first findings of each rule whole give the same reports, and much smaller outputs', async () => {
  const files = await listFiles(['.'], dir);
  const detectors = builtinRegistry().createAll(DEFAULT_DETECTORS.map((id) => ({ id })));
  const shards = await planShards(files, { shardBytes: 12_000 });
  const finish = { files, formats: files.map((f) => detectFormat(f.absPath).format), roots: ['.'], startedAt: '', policy: DEFAULT_POLICY };
  const run = async (keepPerRule: number): Promise<ShardOutput[]> => {
    const outs: ShardOutput[] = [];
    for (const sh of shards) outs.push(await inspectShard(sh, { detectorCount: detectors.length, exec: async (b) => processBatch(detectors, undefined, b), keepPerRule }));
    return outs;
  };
  const whole = await run(0);
  assert.ok(whole.every((o) => o.more === undefined));
  const ignoring: Policy = { ...DEFAULT_POLICY, ignore: [{ rule: 'pii/email', file: 'a.jsonl' }] };
  for (const cap of [1, 3]) {
    const compact = await run(cap);
    assert.ok(compact.some((o) => (o.more?.rule.length ?? 0) > 0), 'some findings were compacted');
    const bytes = (outs: ShardOutput[]): number => outs.reduce((n, o) => n + serialize({ findings: o.findings, more: o.more }).length, 0);
    assert.ok(bytes(compact) * 2 < bytes(whole), `compacted ${bytes(compact)} vs whole ${bytes(whole)} bytes`);
    for (const policy of [DEFAULT_POLICY, ignoring]) {
      const a = new ShardReducer(detectors, { policy, maxFindingsPerRule: cap });
      const b = new ShardReducer(detectors, { policy, maxFindingsPerRule: cap });
      const c = new ShardReducer(detectors);
      for (let i = 0; i < whole.length; i++) {
        a.add(whole[i] as ShardOutput);
        b.add(compact[i] as ShardOutput);
        c.add(compact[i] as ShardOutput);
      }
      const want = untimed(a.finish({ ...finish, policy }));
      assert.equal(untimed(b.finish({ ...finish, policy })), want);
      assert.equal(untimed(c.finish({ ...finish, policy, maxFindingsPerRule: cap })), want, 'a reducer holding outputs until finish');
    }
    // A report listing more per rule than the shards kept whole cannot be built: refused, not wrong.
    const wider = new ShardReducer(detectors, { policy: DEFAULT_POLICY, maxFindingsPerRule: cap + 5 });
    assert.throws(() => {
      for (const o of compact) wider.add(o);
    }, { code: 'INSPECT_OPTIONS' });
  }
});

test('finishWith: reduces offered to a runner (every dataset detector: it reads the spill) give the report finish gives; a failing one fails the run', async () => {
  const files = await listFiles(['.'], dir);
  const detectors = builtinRegistry().createAll(DEFAULT_DETECTORS.map((id) => ({ id })));
  const shards = await planShards(files, { shardBytes: 12_000 });
  const outputs: ShardOutput[] = [];
  for (const sh of shards) outputs.push(await inspectShard(sh, { detectorCount: detectors.length, exec: async (b) => processBatch(detectors, undefined, b), keepPerRule: 2 }));
  const finish = { files, formats: files.map((f) => detectFormat(f.absPath).format), roots: ['.'], startedAt: '', policy: DEFAULT_POLICY };
  const fresh = (): ShardReducer => {
    const r = new ShardReducer(detectors, { policy: DEFAULT_POLICY, maxFindingsPerRule: 2 });
    for (const o of outputs) r.add(structuredClone(o));
    return r;
  };
  const want = untimed(fresh().finish(finish));
  const offered: number[] = [];
  // A runner standing in for a worker: the input crosses a structured clone, findings come back compacted.
  const got = await fresh().finishWith(finish, (k, input) => {
    offered.push(k);
    const out = reduceDetector(detectors[k] as DatasetDetector, structuredClone(input));
    return Promise.resolve({ ...compactFindings(out.findings, 2), ms: out.ms });
  });
  assert.equal(untimed(got), want);
  assert.ok(offered.includes(DEFAULT_DETECTORS.indexOf('duplicates')), 'duplicates offered');
  assert.ok(offered.includes(DEFAULT_DETECTORS.indexOf('schema')), 'schema features (plain objects) offered too: the spill holds any cloneable features');
  assert.equal(untimed(await fresh().finishWith(finish, () => undefined)), want, 'a runner may decline');
  await assert.rejects(
    fresh().finishWith(finish, () => Promise.reject(new InspectError('INSPECT_DETECTOR_FAILED', 'boom', { kind: 'internal' }))),
    { code: 'INSPECT_DETECTOR_FAILED' },
  );
});

test('compactFindings keeps the first findings of each rule whole, in order, and the rest exactly as the policy reads them', () => {
  const f = (rule: string, index: number, severity: Finding['severity'], file = 'x.jsonl'): Finding => ({
    detector: 'pii',
    rule,
    severity,
    confidence: index / 10,
    location: { file, index, field: '$.t' },
    message: `m${index}`,
    evidence: 'e',
  });
  const input = [f('email', 0, 'medium'), f('phone', 1, 'low'), f('email', 2, 'high'), f('email', 3, 'low'), f('phone', 4, 'low'), f('email', 5, 'medium', 'other.jsonl')];
  const { findings, more } = compactFindings(input, 1);
  assert.deepEqual(findings, [input[0], input[1]]);
  assert.deepEqual(more?.rules, ['pii\u0000email', 'pii\u0000phone']);
  assert.deepEqual([...(more?.rule ?? [])], [0, 0, 1, 0]);
  assert.deepEqual([...(more?.index ?? [])], [2, 3, 4, 5]);
  assert.deepEqual([...(more?.confidence ?? [])], [0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual([...(more?.severity ?? [])].map((i) => SEVERITIES[i]), ['high', 'low', 'low', 'medium']);
  assert.deepEqual(more?.files, ['x.jsonl', 'other.jsonl']);
  assert.deepEqual([...(more?.file ?? [])], [0, 0, 0, 1]);
  const back = [...expandFindings(more as CompactFindings)];
  assert.deepEqual(
    back.map((f) => [f.detector, f.rule, f.severity, f.confidence, f.location.file, f.location.index]),
    input.slice(2).map((f) => [f.detector, f.rule, f.severity, f.confidence, f.location.file, f.location.index]),
  );
  assert.deepEqual(compactFindings(input, 10), { findings: input });
  // Findings the policy ignores neither count toward keep nor stay whole.
  const ig = compactFindings(input, 1, (x) => x.location.index === 0);
  assert.deepEqual(ig.findings, [input[1], input[2]], 'the first email not ignored is kept whole');
  assert.deepEqual([...(ig.more?.index ?? [])], [0, 3, 4, 5]);
});

test('the planner never cuts before a BOM line, also where the newline ends a read block; unreadable files are coded', async () => {
  const b = await mkdtemp(join(tmpdir(), 'inspect-shards-bom-'));
  const BLOCK = 1 << 20;
  // Newlines at the last bytes of the planner's 1 MiB read block: the BOM after them is peeked.
  for (const nl of [BLOCK - 4, BLOCK - 3, BLOCK - 2, BLOCK - 1]) {
    const first = `{"a":"${'x'.repeat(nl - 8)}"}`;
    assert.equal(Buffer.byteLength(first), nl);
    const p = join(b, `f${nl}.jsonl`);
    await writeFile(p, `${first}\n\uFEFF{"a":2}\n{"a":3}\n`);
    const shards = await planShards(await listFiles([p]), { shardBytes: 1 });
    assert.deepEqual(shards.map((s) => (s.source.kind === 'lines' ? s.source.firstLine : 0)), [1, 3], `newline at ${nl}`);
    // A BOM inside a file is malformed JSON: the error names its real line, whatever the cuts.
    await assert.rejects(inspectDelivery({ paths: [p], workers: 0, shardBytes: 1, detectors: ['schema'] }), (e: { code: string; location: { line: number } }) => e.code.startsWith('RECORD_') && e.location.line === 2);
  }
  const gone = join(b, 'gone.jsonl');
  await writeFile(gone, '{"a":1}\n');
  const files = await listFiles([gone]);
  const { rm } = await import('node:fs/promises');
  await rm(gone);
  await assert.rejects(planShards(files), { code: 'INSPECT_PATH_MISSING' });
});

/**
 * Detector contract: every registered detector must pass this suite (STYLE: one shared suite for
 * every plug-in). Deterministic findings; valid Finding shape; no full secret or PII value in any
 * finding; odd records ({}, [], null, scalars, deep nesting, a 1 MB string) never throw.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { makeChecksumToken } from '../detectors/secrets/index.js';
import { driftFeatures, profile } from '../detectors/drift/index.js';
import type { DatasetDetector, Detector, Finding } from '../types.js';
import { featureList } from '../features.js';
import { processBatch, recordView, type BatchRecord } from './batch.js';
import { builtinRegistry, DETECTOR_IDS } from './registry.js';
import { packFeatures } from './pack.js';
import { Spill, SpilledFeatures } from './spill.js';
import { sharedPath } from '../../core/index.js';

const SECRET = makeChecksumToken('ghp_', 'Zq4Vn8Kd2Lp6Xw0Ts3Hy7Bm1Rc5Fg9');
const AWS = 'AKIA' + 'W4N7QZ2XK5RT3YBM';
const EMAIL = 'eleanor.vance@hillhouse-mail.net';
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

const gsm = readFileSync(sharedPath('data', 'gsm8k-train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 60)
  .map((l) => JSON.parse(l) as { question: string; answer: string });

function deep(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** The delivery every detector sees: ordinary records, planted secrets/PII (repeated, so dataset detectors notice them), odd records. */
function delivery(): BatchRecord[] {
  const values: unknown[] = [
    ...gsm,
    ...Array.from({ length: 30 }, (_, i) => ({ question: `Deploy step ${i}: use token ${SECRET} and mail ${EMAIL}`, answer: `export AWS_ACCESS_KEY_ID=${AWS} # contact ${EMAIL}` })),
    {},
    [],
    null,
    42,
    'a bare string record',
    { question: '', answer: '' },
    { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant' }] },
    deep(400),
    { text: 'x'.repeat(1 << 20) },
    { text: `${'word '.repeat(200_000)}` },
    { question: '\u202Eevil\u202C \u{E0041}\u{E0042} \u200B\u200B', answer: 'ok', label: 3 },
    { chosen: 'Human: hi\n\nAssistant: sure', rejected: 'Human: hi\n\nAssistant: no' },
  ];
  return values.map((value, index) => ({ file: index % 2 ? 'b/part.jsonl' : 'a.jsonl', index, line: index + 1, value }));
}

function options(id: string): unknown {
  if (id === 'contamination') return { benchmarks: [{ name: 'bench', items: gsm.slice(0, 5).map((r, i) => ({ id: String(i), text: `${r.question}\n${r.answer}` })) }] };
  if (id === 'drift') return { baseline: profile(gsm.map((value, index) => driftFeatures(recordView({ file: 'base.jsonl', index, value }, undefined)))) };
  return undefined;
}

function runDetector(d: Detector, records: BatchRecord[]): Finding[] {
  const r = processBatch([d], undefined, records);
  if (d.kind === 'record') return r.findings;
  const feats = r.features[0] ?? [];
  const items = records.flatMap((rec, i) => (feats[i] === undefined ? [] : [{ ref: { file: rec.file, index: rec.index, ...(rec.line !== undefined ? { line: rec.line } : {}) }, features: feats[i] }]));
  return [...(d as DatasetDetector).reduce(featureList(items))];
}

/**
 * The same reduce as `runDetector`, over features that went the engine's way: packed per shard of
 * `per` records, written to a spill file, read back block by block (no object shared across blocks).
 */
function runSpilled(d: DatasetDetector, records: BatchRecord[], per: number): Finding[] {
  const feats = processBatch([d], undefined, records).features[0] ?? [];
  const spill = new Spill();
  try {
    for (let at = 0; at < records.length; at += per) {
      const part = records.slice(at, at + per);
      const s = spill.addShard(part[0]?.file ?? '', part[0]?.index ?? 0, part.length, false, part.map((r) => r.line));
      spill.append(0, s, packFeatures(feats.slice(at, at + per)), part.length);
    }
    const list = new SpilledFeatures<unknown>(spill.input(0));
    try {
      return [...d.reduce(list)];
    } finally {
      list.close();
    }
  } finally {
    spill.dispose();
  }
}

const registry = builtinRegistry();

test('the built-in registry holds every documented detector id exactly once', () => {
  assert.deepEqual(registry.ids(), DETECTOR_IDS);
  assert.throws(() => registry.register('pii', () => registry.create('pii')), { code: 'INSPECT_DETECTOR_DUPLICATE' });
  assert.throws(() => registry.createAll([{ id: 'pii' }, { id: 'pii' }]), { code: 'INSPECT_DETECTOR_DUPLICATE' });
  assert.throws(() => registry.create('antivirus'), { code: 'INSPECT_DETECTOR_UNKNOWN' });
  assert.throws(() => registry.create('contamination'), { code: 'INSPECT_DETECTOR_OPTIONS' });
  assert.throws(() => registry.create('drift', {}), { code: 'INSPECT_DETECTOR_OPTIONS' });
  assert.throws(() => registry.create('contamination', { benchmarks: [], n: 0 }), { code: 'INSPECT_DETECTOR_OPTIONS' });
});

for (const id of registry.ids()) {
  describe(`detector contract: ${id}`, () => {
    const records = delivery();
    const files = new Map<string, number>();
    for (const r of records) files.set(r.file, Math.max(files.get(r.file) ?? 0, r.index + 1));
    const first = runDetector(registry.create(id, options(id)), records);

    test('findings are deterministic (a fresh instance on the same records gives the same findings)', () => {
      const second = runDetector(registry.create(id, options(id)), delivery());
      assert.deepEqual(second, first);
    });

    test('every finding has a valid shape and location', () => {
      for (const f of first) {
        assert.equal(f.detector, id);
        assert.ok(typeof f.rule === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(f.rule), `rule id ${f.rule}`);
        assert.ok(SEVERITIES.includes(f.severity), f.severity);
        assert.ok(Number.isFinite(f.confidence) && f.confidence >= 0 && f.confidence <= 1, `confidence ${f.confidence}`);
        assert.ok(typeof f.message === 'string' && f.message.length > 0);
        assert.ok(files.has(f.location.file), `file ${f.location.file}`);
        assert.ok(Number.isInteger(f.location.index) && f.location.index >= 0);
        const rec = records[f.location.index];
        assert.equal(rec?.file, f.location.file, 'index names a record of that file');
        if (f.location.line !== undefined) assert.equal(f.location.line, rec?.line);
        if (f.location.field !== undefined) assert.ok(f.location.field.startsWith('$'), f.location.field);
        if (f.location.span !== undefined) assert.ok(f.location.span[0] >= 0 && f.location.span[0] <= f.location.span[1]);
        assert.doesNotThrow(() => JSON.stringify(f));
      }
    });

    test('no finding carries a full secret or e-mail address (message, evidence or data)', () => {
      for (const f of first) {
        const s = JSON.stringify(f);
        for (const v of [SECRET, AWS, EMAIL]) assert.ok(!s.includes(v), `${f.rule} leaks ${v.slice(0, 4)}…: ${s.slice(0, 300)}`);
      }
    });

    if (registry.create(id, options(id)).kind === 'dataset') {
      test('the reduce over features spilled to disk and read back by block gives the same findings', () => {
        // Shards hold consecutive indices of one file here: renumber so every shard is one file's range.
        const recs = delivery().map((r, i) => ({ ...r, file: 'all.jsonl', index: i, line: i + 1 }));
        const want = runDetector(registry.create(id, options(id)), recs);
        for (const per of [1, 7, 1000]) assert.deepEqual(runSpilled(registry.create(id, options(id)) as DatasetDetector, recs, per), want, `shards of ${per}`);
      });
    }

    test('odd records alone ({}, [], null, scalars, deep, 1 MB) do not throw', () => {
      const odd = delivery().slice(gsm.length + 30);
      assert.doesNotThrow(() => runDetector(registry.create(id, options(id)), odd));
      assert.doesNotThrow(() => runDetector(registry.create(id, options(id)), []));
    });
  });
}

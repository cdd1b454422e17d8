import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DetectorId, Finding, Severity } from '../types.js';
import { DEFAULT_POLICY, PolicyAccumulator, SEVERITIES, applyPolicy, type Policy } from './index.js';
import { seededRandom } from '../../core/index.js';


const DETECTORS: DetectorId[] = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'poisoning', 'contamination', 'drift'];
const RULES = ['email', 'phone', 'tag-characters', 'download-exec', 'near-duplicate', 'aws-access-key-id', 'x'];
const FILES = ['a.jsonl', 'b.jsonl', 'fixtures/c.jsonl', 'fixtures/deep/d.csv'];

function findings(seed: number, n: number): Finding[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  return Array.from({ length: n }, () => ({
    detector: pick(DETECTORS),
    rule: pick(RULES),
    severity: pick(SEVERITIES) as Severity,
    confidence: Math.round(r() * 10) / 10,
    // Few indices, so many findings share a record (minShare counts distinct records).
    location: { file: pick(FILES), index: Math.floor(r() * 30) },
    message: 'm',
  }));
}

const POLICIES: Policy[] = [
  DEFAULT_POLICY,
  { ...DEFAULT_POLICY, ignore: [{ rule: 'pii/email' }, { detector: 'secrets', file: 'fixtures/**' }, { file: '*.csv' }, { detector: 'drift' }] },
  {
    name: 'custom',
    rules: [
      { id: 'share', when: { detector: 'pii', minShare: 0.2 }, verdict: 'quarantine' },
      { id: 'share-high', when: { minShare: 0.9 }, verdict: 'reject' },
      { id: 'count', when: { rule: ['email', 'unicode/tag-characters'], minCount: 7 }, verdict: 'review' },
      { id: 'conf', when: { confidence: 0.7, severity: 'high' }, verdict: 'review', message: 'confident and severe' },
      { id: 'qualified', when: { rule: 'injection/download-exec' }, verdict: 'quarantine' },
      { id: 'never', when: { detector: 'drift', rule: 'none' }, verdict: 'reject' },
    ],
    ignore: [{ detector: 'duplicates', rule: 'near-duplicate', file: 'b.jsonl' }, { rule: 'x' }],
  },
];

function accumulate(policy: Policy, list: readonly Finding[], total: number): { outcome: ReturnType<PolicyAccumulator['outcome']>; kept: Finding[] } {
  const acc = new PolicyAccumulator(policy);
  const kept = list.filter((f) => acc.add(f));
  return { outcome: acc.outcome(total), kept };
}

test('the accumulator reaches exactly applyPolicy’s verdict, reasons and ignores, in any order', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const list = findings(seed, 1 + ((seed * 37) % 400));
    const reversed = [...list].reverse();
    for (const policy of POLICIES) {
      for (const total of [0, 25, 120, 100_000]) {
        const want = applyPolicy(policy, list, total);
        for (const order of [list, reversed]) {
          const got = accumulate(policy, order, total);
          assert.equal(got.outcome.verdict, want.verdict, `seed ${seed} ${policy.name} ${total}`);
          assert.deepEqual(got.outcome.reasons, want.reasons, `seed ${seed} ${policy.name} ${total}`);
          assert.equal(got.outcome.ignored, want.ignored);
          assert.equal(got.kept.length, want.findings.length);
        }
      }
    }
  }
});

test('accumulator: minShare counts distinct records across files; ignored findings never count', () => {
  const f = (detector: DetectorId, rule: string, severity: Severity, index: number, file = 'a.jsonl'): Finding => ({ detector, rule, severity, confidence: 0.9, location: { file, index }, message: 'm' });
  // pii-medium needs 0.5% of records: 2 records of 400 fire it, one record with 3 findings does not.
  const same = [f('pii', 'email', 'medium', 0), f('pii', 'email', 'medium', 0), f('pii', 'phone', 'medium', 0)];
  const one = accumulate(DEFAULT_POLICY, same, 400);
  assert.equal(one.outcome.verdict, 'accept');
  const two = accumulate(DEFAULT_POLICY, [...same, f('pii', 'email', 'medium', 0, 'b.jsonl')], 400);
  assert.equal(two.outcome.verdict, 'review');
  assert.equal(two.outcome.reasons[0]?.count, 4);
  assert.match(two.outcome.reasons[0]?.message ?? '', /in 2 record\(s\)/);
  // An ignored live secret neither rejects nor counts.
  const p: Policy = { ...DEFAULT_POLICY, ignore: [{ detector: 'secrets', file: 'fixtures/**' }] };
  const r = accumulate(p, [f('secrets', 'aws-access-key-id', 'critical', 1, 'fixtures/x.jsonl')], 10);
  assert.equal(r.outcome.verdict, 'accept');
  assert.equal(r.outcome.ignored, 1);
  assert.equal(r.kept.length, 0);
  assert.equal(accumulate(p, [f('secrets', 'aws-access-key-id', 'critical', 1, 'data/x.jsonl')], 10).outcome.verdict, 'reject');
});

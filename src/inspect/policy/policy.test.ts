import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../types.js';
import { globToRegExp } from '../../core/index.js';
import { DEFAULT_POLICY, applyPolicy, loadPolicy, parsePolicy, worstVerdict, type Policy } from './index.js';

const f = (detector: Finding['detector'], rule: string, severity: Finding['severity'], index = 0, file = 'a.jsonl', confidence = 0.9): Finding => ({
  detector,
  rule,
  severity,
  confidence,
  location: { file, index },
  message: 'm',
});

test('default policy: live secret rejects, example key (info) does not count, poisoning quarantines', () => {
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('secrets', 'aws-access-key-id', 'critical')], 100).verdict, 'reject');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('secrets', 'aws-access-key-id', 'info')], 100).verdict, 'accept');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('poisoning', 'response-trigger', 'critical'), f('pii', 'email', 'medium')], 100).verdict, 'quarantine');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('unicode', 'tag-characters', 'high')], 100).verdict, 'quarantine');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('injection', 'download-exec', 'info')], 100).verdict, 'accept', 'well-known installer');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('injection', 'download-exec', 'medium')], 100).verdict, 'quarantine');
  assert.equal(applyPolicy(DEFAULT_POLICY, [], 100).verdict, 'accept');
});

test('minShare counts distinct records, not findings', () => {
  // duplicates needs 5% of records: 4 findings in one record of 20 is 5% only if distinct records reach 1/20.
  const dups = [f('duplicates', 'near-duplicate', 'low', 1), f('duplicates', 'near-duplicate', 'low', 1)];
  assert.equal(applyPolicy(DEFAULT_POLICY, dups, 100).verdict, 'accept');
  assert.equal(applyPolicy(DEFAULT_POLICY, dups, 20).verdict, 'review');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('pii', 'email', 'medium', 0, 'a.jsonl'), f('pii', 'email', 'medium', 0, 'b.jsonl')], 400).verdict, 'review', 'same index in two files = two records');
  assert.equal(applyPolicy(DEFAULT_POLICY, [f('pii', 'email', 'medium')], 0).verdict, 'accept');
});

test('verdict precedence is reject > quarantine > review > accept, and reasons list every rule that fired', () => {
  assert.equal(worstVerdict('review', 'quarantine'), 'quarantine');
  assert.equal(worstVerdict('reject', 'review'), 'reject');
  const out = applyPolicy(DEFAULT_POLICY, [f('schema', 'empty-record', 'medium'), f('secrets', 'x', 'critical'), f('contamination', 'benchmark-overlap', 'high')], 10);
  assert.equal(out.verdict, 'reject');
  assert.deepEqual(out.reasons.map((r) => r.rule), ['secrets-critical', 'secrets-high', 'secrets-medium', 'contamination-high', 'contamination', 'schema']);
});

test('ignore drops findings by qualified rule, detector and file glob before counting', () => {
  const p: Policy = { ...DEFAULT_POLICY, ignore: [{ rule: 'secrets/generic-secret-assignment' }, { detector: 'pii', file: 'fixtures/**' }] };
  const out = applyPolicy(p, [f('secrets', 'generic-secret-assignment', 'high'), f('pii', 'iban', 'high', 0, 'fixtures/x/y.csv'), f('pii', 'iban', 'high', 0, 'data/y.csv')], 10);
  assert.equal(out.ignored, 2);
  assert.equal(out.verdict, 'review');
  assert.deepEqual(out.findings.map((x) => x.location.file), ['data/y.csv']);
  assert.ok(globToRegExp('*.jsonl').test('a.jsonl') && !globToRegExp('*.jsonl').test('d/a.jsonl'));
  assert.ok(globToRegExp('**/*.csv').test('a/b/c.csv') && globToRegExp('**/*.csv').test('c.csv'));
  assert.ok(!globToRegExp('a.b').test('axb'), 'dots are literal');
});

test('a policy file extends the default: same id replaces in place, disable drops, new rules append', () => {
  const p = parsePolicy('name: lab\ndisable: [drift]\nrules:\n  - id: pii-high\n    when: { detector: pii, severity: high }\n    verdict: reject\n  - id: many-findings\n    when: { minCount: 3 }\n    verdict: review\n', 'lab.yaml');
  assert.equal(p.name, 'lab');
  assert.equal(p.rules.length, DEFAULT_POLICY.rules.length);
  assert.equal(p.rules.find((r) => r.id === 'pii-high')?.verdict, 'reject');
  assert.equal(p.rules.findIndex((r) => r.id === 'pii-high'), DEFAULT_POLICY.rules.findIndex((r) => r.id === 'pii-high'));
  assert.equal(p.rules.at(-1)?.id, 'many-findings');
  assert.ok(!p.rules.some((r) => r.id === 'drift'));
  assert.equal(applyPolicy(p, [f('drift', 'x', 'high')], 1).verdict, 'accept');
  const none = parsePolicy('{"extends": "none", "rules": [{"id": "r", "when": {"detector": "schema"}, "verdict": "quarantine"}]}', 'p.json');
  assert.deepEqual(none.rules.map((r) => r.id), ['r']);
});

test('validation reports every problem at once with its path', () => {
  const bad = `
name: 7
extends: mine
colour: blue
disable: [no-such-rule]
rules:
  - id: a
    when: { detector: virus, severity: huge, confidence: 2, minCount: 0, minShare: -1, rule: [], extra: 1 }
    verdict: block
  - id: a
    when: { rule: nope/x }
    verdict: review
  - when: {}
  - 12
ignore:
  - {}
  - { file: /etc/passwd }
  - nothing
`;
  try {
    parsePolicy(bad, 'bad.yaml');
    assert.fail('must throw');
  } catch (err) {
    const e = err as { code: string; details: { issues: { path: string }[] }; message: string };
    assert.equal(e.code, 'POLICY_INVALID');
    const paths = e.details.issues.map((i) => i.path);
    for (const p of [
      '$.name', '$.extends', '$.colour', '$.disable[0]', '$.rules[0].when.detector', '$.rules[0].when.severity', '$.rules[0].when.confidence', '$.rules[0].when.minCount',
      '$.rules[0].when.minShare', '$.rules[0].when.rule', '$.rules[0].when.extra', '$.rules[0].verdict', '$.rules[1].id', '$.rules[1].when.rule', '$.rules[2].id', '$.rules[2].verdict',
      '$.rules[3]', '$.ignore[0]', '$.ignore[1].file', '$.ignore[2]',
    ]) assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
    assert.match(e.message, /problem\(s\) in the policy/);
  }
});

test('syntax errors, duplicate keys, alias bombs, non-mappings and unreadable files are coded errors', async () => {
  assert.throws(() => parsePolicy('rules: [\n', 'p.yaml'), { code: 'POLICY_SYNTAX' });
  assert.throws(() => parsePolicy('a: 1\na: 2\n', 'p.yaml'), (e: { code: string; location: { line?: number } }) => e.code === 'POLICY_SYNTAX' && e.location.line === 2);
  assert.throws(() => parsePolicy('{"rules": [], "rules": []}', 'p.json'), { code: 'POLICY_SYNTAX' });
  assert.throws(() => parsePolicy('{"rules": [', 'p.json'), { code: 'POLICY_SYNTAX' });
  const bomb = ['a: &a [x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
  assert.throws(() => parsePolicy(bomb, 'p.yaml'), (e: { code: string }) => e.code === 'POLICY_SYNTAX' || e.code === 'POLICY_INVALID');
  assert.throws(() => parsePolicy('- a\n- b\n', 'p.yaml'), { code: 'POLICY_INVALID' });
  assert.throws(() => parsePolicy('', 'p.yaml'), { code: 'POLICY_INVALID' });
  const dir = await mkdtemp(join(tmpdir(), 'policy-'));
  await assert.rejects(loadPolicy(join(dir, 'none.yaml')), { code: 'POLICY_UNREADABLE' });
  await writeFile(join(dir, 'latin1.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
  await assert.rejects(loadPolicy(join(dir, 'latin1.yaml')), { code: 'POLICY_SYNTAX' });
  await writeFile(join(dir, 'ok.yml'), 'ignore:\n  - detector: drift\n');
  assert.deepEqual((await loadPolicy(join(dir, 'ok.yml'))).ignore, [{ detector: 'drift' }]);
});

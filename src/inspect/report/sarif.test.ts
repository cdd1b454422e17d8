import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../core/index.js';
import type { Finding } from '../types.js';
import { emptyReport, hostileReport, makeReport, realisticFindings } from './fixtures.js';
import { pathToUriReference, renderSarif, sarifLevel, validateSarif } from './index.js';
import type { SarifLog, SarifResult, SarifRun } from './index.js';

function parse(s: string): SarifLog {
  return JSON.parse(s) as SarifLog;
}

function sarifOf(findings = realisticFindings(), over: Parameters<typeof makeReport>[1] = {}): SarifLog {
  return parse(renderSarif(makeReport(findings, over)));
}

function run0(doc: SarifLog): SarifRun {
  const run = doc.runs[0];
  assert.ok(run !== undefined, 'one run');
  return run;
}

function byRule(run: SarifRun, id: string): SarifResult {
  const r = run.results.find((x) => x.ruleId === id);
  assert.ok(r !== undefined, `result for ${id}`);
  return r;
}

const FP = 'provenantFinding/v1';

/** Mutable view of a node inside a parsed JSON document, for the negative cases. */
function at(doc: unknown, ...path: Array<string | number>): Record<string, unknown> {
  let v: unknown = doc;
  for (const k of path) v = (v as Record<string, unknown>)[String(k)];
  assert.ok(typeof v === 'object' && v !== null, `no object at ${path.join('.')}`);
  return v as Record<string, unknown>;
}

test('realistic report: one run, one rule per detector/rule, results point at their rule', () => {
  const doc = sarifOf();
  assert.deepEqual(validateSarif(doc), []);
  assert.equal(doc.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(doc.version, '2.1.0');
  assert.equal(doc.runs.length, 1);
  const run = run0(doc);
  const driver = run.tool.driver;
  assert.equal(driver.name, 'provenant');
  assert.equal(driver.version, '0.1.0');
  assert.match(driver.informationUri, /^https:\/\//);
  const ids = driver.rules.map((r) => r.id);
  // 10 findings, 9 distinct (detector, rule): the two emails share a rule.
  assert.deepEqual(ids, [...new Set(ids)].sort());
  assert.equal(ids.length, 9);
  assert.ok(ids.includes('secrets/aws-access-key-id') && ids.includes('pii/email'));
  assert.equal(run.results.length, 10);
  for (const r of run.results) {
    assert.equal(driver.rules[r.ruleIndex]?.id, r.ruleId);
    assert.ok(r.message.text.length > 0);
  }
  const rule = driver.rules.find((r) => r.id === 'secrets/aws-access-key-id');
  assert.equal(rule?.defaultConfiguration.level, 'error');
  assert.ok((rule?.shortDescription.text.length ?? 0) > 0);
  // A rule's default level is its worst finding: one email is enough to make pii/email a warning.
  assert.equal(driver.rules.find((r) => r.id === 'pii/email')?.defaultConfiguration.level, 'warning');
  assert.equal(run.properties['verdict'], 'reject');
  assert.deepEqual(run.invocations, [
    { executionSuccessful: true, startTimeUtc: '2026-11-29T10:00:00.000Z', endTimeUtc: '2026-11-29T10:00:04.250Z' },
  ]);
  assert.equal(run.originalUriBaseIds['ROOT']?.uri, 'file:///data/deliveries/acme-2026-11/');
});

test('severity maps to level: critical/high → error, medium → warning, low/info → note', () => {
  assert.equal(sarifLevel('critical'), 'error');
  assert.equal(sarifLevel('high'), 'error');
  assert.equal(sarifLevel('medium'), 'warning');
  assert.equal(sarifLevel('low'), 'note');
  assert.equal(sarifLevel('info'), 'note');
  const run = run0(sarifOf());
  assert.equal(byRule(run, 'secrets/aws-access-key-id').level, 'error');
  assert.equal(byRule(run, 'pii/email').level, 'warning');
  assert.equal(byRule(run, 'duplicates/near-duplicate').level, 'note');
  assert.equal(byRule(run, 'schema/empty-record').level, 'note');
});

test('locations: line or row as startLine, none for Parquet; logical location names the record and field', () => {
  const run = run0(sarifOf());
  const aws = byRule(run, 'secrets/aws-access-key-id').locations[0];
  assert.deepEqual(aws?.physicalLocation.artifactLocation, { uri: 'train/part-000.jsonl', uriBaseId: 'ROOT', index: 0 });
  assert.deepEqual(aws?.physicalLocation.region, { startLine: 42 });
  assert.deepEqual(aws?.logicalLocations, [
    { name: '$.response', fullyQualifiedName: 'train/part-000.jsonl#41/$.response', kind: 'property' },
  ]);
  assert.deepEqual(byRule(run, 'pii/credit-card').locations[0]?.physicalLocation.region, { startLine: 13 });
  const parquet = byRule(run, 'unicode/bidi-control').locations[0]?.physicalLocation;
  assert.equal(parquet?.region, undefined);
  assert.equal(parquet?.artifactLocation.uri, 'train/prefs.parquet');
  assert.deepEqual(byRule(run, 'schema/empty-record').locations[0]?.logicalLocations, [
    { name: '#1499', fullyQualifiedName: 'eval/labels.csv#1499', kind: 'object' },
  ]);
  const p = byRule(run, 'secrets/aws-access-key-id').properties;
  assert.deepEqual(
    { c: p['confidence'], d: p['detector'], i: p['index'], f: p['field'], e: p['evidence'], data: p['data'] },
    { c: 0.97, d: 'secrets', i: 41, f: '$.response', e: 'AKIA************7Q2Z', data: { provider: 'aws' } },
  );
});

test('partial fingerprints: stable hash of detector/rule/file/index/field, unique within a run', () => {
  const run = run0(sarifOf());
  const prints = run.results.map((r) => r.partialFingerprints[FP]);
  assert.equal(new Set(prints).size, prints.length, 'the two emails in one field must not collide');
  const aws = byRule(run, 'secrets/aws-access-key-id').partialFingerprints[FP];
  assert.equal(aws, sha256Hex(JSON.stringify(['secrets', 'aws-access-key-id', 'train/part-000.jsonl', 41, '$.response'])));
  // Same finding in a different report (other findings around it, other message) keeps its fingerprint.
  const lone = realisticFindings()
    .filter((f) => f.rule === 'aws-access-key-id')
    .map((f) => ({ ...f, message: 'reworded' }));
  assert.equal(run0(sarifOf(lone)).results[0]?.partialFingerprints[FP], aws);
  // A different field is a different finding.
  const moved = lone.map((f) => ({ ...f, location: { ...f.location, field: '$.prompt' } }));
  assert.notEqual(run0(sarifOf(moved)).results[0]?.partialFingerprints[FP], aws);
  // Rendering is deterministic.
  assert.equal(renderSarif(makeReport(realisticFindings())), renderSarif(makeReport(realisticFindings())));
});

test('empty report: valid SARIF with no rules and no results', () => {
  const doc = parse(renderSarif(emptyReport()));
  assert.deepEqual(validateSarif(doc), []);
  const run = run0(doc);
  assert.deepEqual(run.results, []);
  assert.deepEqual(run.tool.driver.rules, []);
  assert.equal(run.properties['verdict'], 'accept');
});

test('hostile names become percent-encoded URI references; message text is carried as data', () => {
  const doc = parse(renderSarif(hostileReport()));
  assert.deepEqual(validateSarif(doc), []);
  const run = run0(doc);
  const uris = run.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri ?? '');
  for (const u of uris) assert.match(u, /^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$/);
  assert.ok(uris.includes('x/%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E.jsonl'));
  assert.equal(pathToUriReference('a b/c#d?e%f.jsonl'), 'a%20b/c%23d%3Fe%25f.jsonl');
  // A root with markup in it is still an absolute file URI ending in "/".
  assert.match(run.originalUriBaseIds['ROOT']?.uri ?? '', /^file:\/\/\/tmp\/%3Cscript%3E.*\/$/);
});

test('relative or several roots are described, not given as a (non-absolute) base URI', () => {
  for (const roots of [['./delivery'], ['/a', '/b'], []]) {
    const doc = sarifOf(realisticFindings(), { roots });
    const base = run0(doc).originalUriBaseIds['ROOT'];
    assert.equal(base?.uri, undefined);
    assert.match(base?.description?.text ?? '', /relative to the inspected root/);
    assert.deepEqual(validateSarif(doc), []);
  }
});

// ----- validateSarif negative cases: each mutation of a valid log must be reported at its path.

const res0 = (d: unknown): Record<string, unknown> => at(d, 'runs', 0, 'results', 0);
const phys0 = (d: unknown): Record<string, unknown> => at(d, 'runs', 0, 'results', 0, 'locations', 0, 'physicalLocation');
const art0 = (d: unknown): Record<string, unknown> => at(d, 'runs', 0, 'results', 0, 'locations', 0, 'physicalLocation', 'artifactLocation');
const rule0 = (d: unknown): Record<string, unknown> => at(d, 'runs', 0, 'tool', 'driver', 'rules', 0);
const run = (d: unknown): Record<string, unknown> => at(d, 'runs', 0);

const MUTATIONS: ReadonlyArray<[string, (doc: unknown) => void, RegExp]> = [
  ['wrong version', (d) => (at(d).version = '2.0.0'), /^\$\.version/],
  ['runs missing', (d) => delete at(d).runs, /^\$\.runs: required/],
  ['runs not an array', (d) => (at(d).runs = {}), /^\$\.runs: must be an array/],
  ['driver name missing', (d) => delete at(d, 'runs', 0, 'tool', 'driver').name, /tool\.driver\.name: required/],
  ['tool missing', (d) => delete run(d).tool, /\.tool: required/],
  ['bad result level', (d) => (res0(d).level = 'bogus'), /results\[0\]\.level: "bogus" is not one of/],
  ['bad default level', (d) => (at(rule0(d), 'defaultConfiguration').level = 'fatal'), /defaultConfiguration\.level/],
  ['ruleIndex out of range', (d) => (res0(d).ruleIndex = 99), /results\[0\]\.ruleIndex: 99 is out of range/],
  ['ruleIndex not an integer', (d) => (res0(d).ruleIndex = '1'), /ruleIndex: must be an integer/],
  ['ruleId not matching its rule', (d) => (res0(d).ruleIndex = (Number(res0(d).ruleIndex) + 1) % 9), /ruleId: .* does not match rules/],
  ['message missing', (d) => delete res0(d).message, /results\[0\]\.message: required/],
  ['message without text or id', (d) => (res0(d).message = {}), /needs text or id/],
  ['unknown result property', (d) => (res0(d).severity = 'high'), /unknown property "severity" in result/],
  ['unknown run property', (d) => (run(d).verdict = 'reject'), /unknown property "verdict" in run/],
  ['uri with a space', (d) => (art0(d).uri = 'a b.jsonl'), /not a valid URI reference/],
  ['undefined uriBaseId', (d) => (art0(d).uriBaseId = 'SRC'), /"SRC" is not defined in run\.originalUriBaseIds/],
  ['artifact index out of range', (d) => (art0(d).index = 3), /index: 3 is out of range/],
  ['startLine 0', (d) => (phys0(d).region = { startLine: 0 }), /startLine: must be ≥ 1/],
  ['physical location without artifact', (d) => delete phys0(d).artifactLocation, /needs artifactLocation or address/],
  ['executionSuccessful missing', (d) => (run(d).invocations = [{}]), /executionSuccessful: required boolean/],
  ['bad date-time', (d) => (at(d, 'runs', 0, 'invocations', 0).startTimeUtc = 'yesterday'), /startTimeUtc: must be an RFC 3339 date-time/],
  ['non-string fingerprint', (d) => (res0(d).partialFingerprints = { x: 1 }), /partialFingerprints\.x: must be a string/],
  ['duplicate rule ids', (d) => (at(d, 'runs', 0, 'tool', 'driver', 'rules', 1).id = rule0(d).id), /duplicate rule id/],
  ['base uri without slash', (d) => (at(run(d), 'originalUriBaseIds', 'ROOT').uri = 'file:///data'), /must end with "\/"/],
  ['relative base uri', (d) => (at(run(d), 'originalUriBaseIds', 'ROOT').uri = 'data/'), /must be absolute/],
  ['duplicate tags', (d) => (at(rule0(d), 'properties').tags = ['a', 'a']), /must not repeat a tag/],
  ['shortDescription without text', (d) => (rule0(d).shortDescription = { markdown: 'x' }), /shortDescription\.text: required/],
];

for (const [name, edit, expect] of MUTATIONS) {
  test(`validateSarif reports: ${name}`, () => {
    const doc: unknown = JSON.parse(renderSarif(makeReport(realisticFindings())));
    assert.deepEqual(validateSarif(doc), [], 'valid before the mutation');
    edit(doc);
    const problems = validateSarif(doc);
    assert.ok(problems.some((p) => expect.test(p)), `expected ${String(expect)} in ${JSON.stringify(problems)}`);
  });
}

test('validateSarif rejects non-objects without throwing and caps the problem list', () => {
  for (const v of [null, 42, 'sarif', [], undefined]) assert.match(validateSarif(v)[0] ?? '', /^\$: must be an object/);
  const doc: unknown = JSON.parse(renderSarif(makeReport(realisticFindings())));
  const bad = res0(doc);
  run(doc).results = Array.from({ length: 1000 }, () => ({ ...bad, level: 'bogus' }));
  const problems = validateSarif(doc);
  assert.equal(problems.length, 201);
  assert.match(problems[200] ?? '', /and 800 more problem/);
});

// ----- Microsoft SARIF Multitool (the reference validator; a .NET binary shipped in the npm package)

function multitoolBinary(): string {
  const req = createRequire(import.meta.url);
  // The package's main export is the path of the platform binary. Its bin.js wrapper runs that
  // through a shell, where `--level "Error;Warning"` style arguments split, so we call it directly.
  return req('@microsoft/sarif-multitool') as string;
}

interface MultitoolResult {
  readonly ruleId?: string;
  readonly level?: string;
  readonly message?: { readonly arguments?: readonly string[] };
  readonly locations?: ReadonlyArray<{ readonly physicalLocation?: { readonly artifactLocation?: { readonly uri?: string } } }>;
}

test('SARIF Multitool validates our output (realistic, hostile, empty) and catches a broken log', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-sarif-'));
  try {
    const many: Finding[] = realisticFindings();
    const files: Record<string, string> = {
      'realistic.sarif': renderSarif(makeReport(many)),
      'hostile.sarif': renderSarif(hostileReport()),
      'empty.sarif': renderSarif(emptyReport()),
      'relative-root.sarif': renderSarif(makeReport(many, { roots: ['delivery', 'other'] })),
    };
    // Negative control: a log the multitool must fault, so a silent pass cannot go unnoticed.
    const broken: unknown = JSON.parse(files['realistic.sarif'] ?? '');
    delete res0(broken).message;
    at(broken, 'runs', 0, 'results', 1).ruleIndex = 99;
    files['broken.sarif'] = JSON.stringify(broken);
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    const out = join(dir, 'verdict.sarif.json');
    execFileSync(multitoolBinary(), ['validate', ...Object.keys(files).map((n) => join(dir, n)), '-o', out], {
      stdio: 'pipe',
      timeout: 100_000,
    });
    const verdict = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results: MultitoolResult[] }> };
    const errors = (verdict.runs[0]?.results ?? [])
      .filter((r) => r.level === 'error')
      .map((r) => ({ file: r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '', rule: r.ruleId, args: r.message?.arguments }));
    const ours = errors.filter((e) => !e.file.endsWith('broken.sarif'));
    assert.deepEqual(ours, [], `multitool errors on our output: ${JSON.stringify(ours)}`);
    const control = errors.filter((e) => e.file.endsWith('broken.sarif')).map((e) => e.rule);
    assert.ok(control.includes('JSON1002'), `missing message not caught: ${JSON.stringify(errors)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detector data that is not JSON (BigInt, cycle) does not break the SARIF output', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  const [first, second] = realisticFindings();
  const odd = [
    { ...(first as Finding), data: { n: 10n } },
    { ...(second as Finding), data: cyclic },
  ] as unknown as Finding[];
  const doc = parse(renderSarif(makeReport(odd)));
  assert.deepEqual(validateSarif(doc), []);
  for (const r of run0(doc).results) assert.deepEqual(r.properties['data'], { unserialisable: true });
});

/** A structural check of the JSON inspection report (src/inspect/types.ts InspectReport). */
import assert from 'node:assert/strict';

const DETECTORS = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'contamination', 'poisoning', 'drift'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const VERDICTS = ['accept', 'review', 'quarantine', 'reject'];

type O = Record<string, unknown>;
const obj = (v: unknown, what: string): O => {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} must be an object`);
  return v as O;
};
const arr = (v: unknown, what: string): unknown[] => {
  assert.ok(Array.isArray(v), `${what} must be an array`);
  return v;
};
const nat = (v: unknown, what: string): number => {
  assert.ok(typeof v === 'number' && Number.isInteger(v) && v >= 0, `${what} must be a non-negative integer, got ${String(v)}`);
  return v;
};
const str = (v: unknown, what: string): string => {
  assert.equal(typeof v, 'string', `${what} must be a string`);
  return v as string;
};
const onlyKeys = (o: O, allowed: string[], what: string): void => {
  for (const k of Object.keys(o)) assert.ok(allowed.includes(k), `${what} has unexpected key ${k}`);
};

/** Asserts `r` has the InspectReport shape, with consistent counts and sorted findings; returns it typed loosely. */
export function assertReportShape(r: unknown): O {
  const o = obj(r, 'report');
  onlyKeys(o, ['schema', 'tool', 'roots', 'files', 'startedAt', 'finishedAt', 'verdict', 'policy', 'counts', 'detectors', 'truncated', 'findings'], 'report');
  assert.equal(o['schema'], 'https://provenant.dev/inspect-report/v1');
  const tool = obj(o['tool'], 'tool');
  str(tool['name'], 'tool.name');
  str(tool['version'], 'tool.version');
  arr(o['roots'], 'roots').forEach((x, i) => str(x, `roots[${i}]`));
  const files = arr(o['files'], 'files').map((f, i) => {
    const fo = obj(f, `files[${i}]`);
    str(fo['path'], `files[${i}].path`);
    str(fo['format'], `files[${i}].format`);
    nat(fo['records'], `files[${i}].records`);
    nat(fo['bytes'], `files[${i}].bytes`);
    return fo;
  });
  for (const k of ['startedAt', 'finishedAt']) assert.ok(!Number.isNaN(Date.parse(str(o[k], k))), `${k} must be an ISO date`);
  assert.ok(VERDICTS.includes(str(o['verdict'], 'verdict')));
  const policy = obj(o['policy'], 'policy');
  str(policy['name'], 'policy.name');
  for (const [i, x] of arr(policy['reasons'], 'policy.reasons').entries()) {
    const ro = obj(x, `reasons[${i}]`);
    str(ro['rule'], 'reason.rule');
    assert.ok(VERDICTS.includes(str(ro['verdict'], 'reason.verdict')));
    nat(ro['count'], 'reason.count');
    str(ro['message'], 'reason.message');
  }
  const counts = obj(o['counts'], 'counts');
  const records = nat(counts['records'], 'counts.records');
  assert.equal(records, files.reduce((s, f) => s + (f['records'] as number), 0), 'counts.records = sum of files');
  assert.equal(nat(counts['files'], 'counts.files'), files.length);
  nat(counts['bytes'], 'counts.bytes');
  const findings = arr(o['findings'], 'findings');
  // Rules cut by the per-rule cap: the report lists `shown` of `total`; counts cover all.
  const cut = new Map<string, number>();
  let unlisted = 0;
  if (o['truncated'] !== undefined) {
    const t = arr(o['truncated'], 'truncated');
    assert.ok(t.length > 0, 'truncated is absent rather than empty');
    for (const [i, x] of t.entries()) {
      const to = obj(x, `truncated[${i}]`);
      onlyKeys(to, ['detector', 'rule', 'shown', 'total'], `truncated[${i}]`);
      const shown = nat(to['shown'], 'truncated.shown');
      const total = nat(to['total'], 'truncated.total');
      assert.ok(shown >= 1 && total > shown, 'a truncated rule lists fewer than its total');
      cut.set(`${str(to['detector'], 'truncated.detector')}/${str(to['rule'], 'truncated.rule')}`, shown);
      unlisted += total - shown;
    }
  }
  assert.equal(nat(counts['findings'], 'counts.findings'), findings.length + unlisted);
  const bySev = obj(counts['bySeverity'], 'counts.bySeverity');
  assert.deepEqual(Object.keys(bySev).sort(), [...SEVERITIES].sort());
  const byDet = obj(counts['byDetector'], 'counts.byDetector');
  for (const k of Object.keys(byDet)) assert.ok(DETECTORS.includes(k), `byDetector key ${k}`);
  for (const [i, d] of arr(o['detectors'], 'detectors').entries()) {
    const dO = obj(d, `detectors[${i}]`);
    assert.ok(DETECTORS.includes(str(dO['detector'], 'detectors.detector')));
    assert.equal(nat(dO['findings'], 'detectors.findings'), byDet[dO['detector'] as string]);
    assert.ok(typeof dO['ms'] === 'number' && dO['ms'] >= 0);
  }
  const fileOrder = new Map(files.map((f, i) => [f['path'] as string, i]));
  const sev: Record<string, number> = {};
  let prev: [number, number, string, string] | undefined;
  for (const [i, f] of findings.entries()) {
    const fo = obj(f, `findings[${i}]`);
    onlyKeys(fo, ['detector', 'rule', 'severity', 'confidence', 'location', 'message', 'evidence', 'data'], `findings[${i}]`);
    const det = str(fo['detector'], 'finding.detector');
    assert.ok(DETECTORS.includes(det));
    const rule = str(fo['rule'], 'finding.rule');
    const s = str(fo['severity'], 'finding.severity');
    assert.ok(SEVERITIES.includes(s));
    sev[s] = (sev[s] ?? 0) + 1;
    const c = fo['confidence'];
    assert.ok(typeof c === 'number' && c >= 0 && c <= 1, 'confidence in 0..1');
    str(fo['message'], 'finding.message');
    if (fo['evidence'] !== undefined) str(fo['evidence'], 'finding.evidence');
    if (fo['data'] !== undefined) obj(fo['data'], 'finding.data');
    const loc = obj(fo['location'], 'finding.location');
    onlyKeys(loc, ['file', 'index', 'line', 'row', 'field', 'span'], 'location');
    const file = str(loc['file'], 'location.file');
    const fi = fileOrder.get(file);
    assert.ok(fi !== undefined, `location.file ${file} is one of the files`);
    const index = nat(loc['index'], 'location.index');
    assert.ok(index < (files[fi]?.['records'] as number), 'location.index within the file');
    if (loc['line'] !== undefined) assert.ok(nat(loc['line'], 'line') >= 1);
    if (loc['row'] !== undefined) assert.ok(nat(loc['row'], 'row') >= 1);
    if (loc['field'] !== undefined) assert.ok(str(loc['field'], 'field').startsWith('$'));
    if (loc['span'] !== undefined) {
      const sp = arr(loc['span'], 'span');
      assert.equal(sp.length, 2);
      assert.ok(nat(sp[0], 'span[0]') <= nat(sp[1], 'span[1]'));
    }
    const key: [number, number, string, string] = [fi, index, det, rule];
    if (prev) {
      const cmp = prev[0] - key[0] || prev[1] - key[1] || (prev[2] < key[2] ? -1 : prev[2] > key[2] ? 1 : 0) || (prev[3] < key[3] ? -1 : prev[3] > key[3] ? 1 : 0);
      assert.ok(cmp <= 0, `findings sorted by file, index, detector, rule (at ${i})`);
    }
    prev = key;
  }
  for (const s of SEVERITIES) {
    if (cut.size === 0) assert.equal(bySev[s], sev[s] ?? 0, `bySeverity.${s}`);
    else assert.ok((bySev[s] as number) >= (sev[s] ?? 0), `bySeverity.${s} counts every finding`);
  }
  for (const [k, shown] of cut) assert.equal(findings.filter((f) => `${(f as O)['detector'] as string}/${(f as O)['rule'] as string}` === k).length, shown, `${k} lists its cap`);
  return o;
}

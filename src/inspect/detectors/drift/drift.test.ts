import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createDriftDetector, driftFeatures, guessLanguage, profile, psi, type DriftOptions } from './index.js';
import { splitmix32 } from '../../text/index.js';
import type { Finding, RecordView } from '../../types.js';
import { featureList } from '../../features.js';
import { sharedPath } from '../../../core/index.js';

const DATA = sharedPath('data');
const sst = readFileSync(`${DATA}/hiddenkiller-sst2/clean-train.tsv`, 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.includes('\t'))
  .map((l) => l.replace(/\r$/, '').split('\t') as [string, string]);
const gsm = readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 4000)
  .map((l) => JSON.parse(l) as { question: string; answer: string });

type Rec = Record<string, string>;
function view(i: number, value: Rec): RecordView {
  const roles: Record<string, 'prompt' | 'response' | 'text' | 'label'> = { question: 'prompt', answer: 'response', sentence: 'text', label: 'label' };
  return {
    file: 'd.jsonl',
    index: i,
    value,
    fields: Object.entries(value)
      .filter(([k]) => roles[k] !== undefined)
      .map(([k, text]) => ({ path: `$.${k}`, role: roles[k] as 'prompt', text })),
  };
}

function run(baseline: Rec[], current: Rec[], opts: Partial<DriftOptions> = {}): Finding[] {
  const base = profile(baseline.map((r, i) => driftFeatures(view(i, r))));
  const det = createDriftDetector({ baseline: JSON.parse(JSON.stringify(base)) as typeof base, ...opts });
  return [...det.reduce(featureList(current.map((r, i) => ({ ref: { file: 'd.jsonl', index: i }, features: det.features(view(i, r)) as ReturnType<typeof driftFeatures> }))))];
}

function halves<T>(xs: T[], seed: number): [T[], T[]] {
  const rnd = splitmix32(seed);
  const a: T[] = [];
  const b: T[] = [];
  for (const x of xs) (rnd() & 1 ? a : b).push(x);
  return [a, b];
}

const sstRecs: Rec[] = sst.map(([sentence, label], i) => ({ sentence, label, annotator_id: `w${i % 12}` }));
const gsmRecs: Rec[] = gsm.map((g) => ({ question: g.question, answer: g.answer }));

test('hard negative: two random halves of the same dataset give no findings', () => {
  for (const seed of [1, 2, 3]) {
    const [a, b] = halves(sstRecs, seed);
    assert.deepEqual(run(a, b), [], `sst2 seed ${seed}`);
    const [c, d] = halves(gsmRecs, seed);
    assert.deepEqual(run(c, d), [], `gsm8k seed ${seed}`);
  }
});

test('label distribution shift is reported', () => {
  const [a, b] = halves(sstRecs, 4);
  const shifted = b.filter((r, i) => r.label === '1' || i % 4 === 0);
  const f = run(a, shifted);
  assert.deepEqual(f.map((x) => x.rule), ['label-drift']);
  assert.ok((f[0]?.data?.psi as number) >= 0.1);
});

test('length shift and new schema are reported', () => {
  const [a, b] = halves(gsmRecs, 5);
  const longer = b.map((r) => ({ ...r, answer: `${r.answer}\n${r.answer}\n${r.answer}\n${r.answer}`, source: 'v2' }));
  const f = run(a, longer);
  const rules = f.map((x) => x.rule);
  assert.ok(rules.includes('length-drift'), rules.join());
  assert.ok(rules.includes('schema-drift'), rules.join());
  assert.equal(f.find((x) => x.rule === 'length-drift')?.data?.field, 'response');
});

test('language shift is reported', () => {
  const [a, b] = halves(sstRecs, 6);
  const spanish = ['la película es muy buena y los actores son excelentes', 'no me gustó nada, es una pérdida de tiempo para todos'];
  const mixed = b.map((r, i) => (i % 3 === 0 ? { ...r, sentence: spanish[i % 2] as string } : r));
  const f = run(a, mixed);
  const rules = f.map((x) => x.rule);
  assert.ok(rules.includes('language-drift'), rules.join());
  assert.ok(!rules.includes('label-drift'));
  assert.ok((f.find((x) => x.rule === 'language-drift')?.data?.languages as Record<string, number>).es! > 100);
});

test('a single annotator suddenly producing an outsized share is flagged; an even spread is not', () => {
  const [a, b] = halves(sstRecs, 7);
  const skewed = b.map((r, i) => (i % 10 < 4 ? { ...r, annotator_id: 'w-new' } : r));
  const f = run(a, skewed);
  assert.deepEqual(f.map((x) => x.rule), ['annotator-share']);
  assert.equal(f[0]?.data?.annotator, 'w-new');
  // Hard negative: a dozen annotators at ~8% each, as in the baseline.
  assert.deepEqual(run(a, b), []);
});

test('planted bias: identity term newly tied to a label and to refusing responses', () => {
  const [a, b] = halves(sstRecs, 8);
  // Baseline: "muslim" mentions with the dataset's normal label mix.
  const base = a.map((r, i) => (i % 40 === 0 ? { ...r, sentence: `${r.sentence} , says my muslim neighbour` } : r));
  const cur = b.map((r, i) => (i % 40 === 0 ? { ...r, sentence: `${r.sentence} , says my muslim neighbour`, label: '0' } : r));
  const f = run(base, cur);
  const hit = f.find((x) => x.rule === 'identity-label');
  assert.ok(hit, f.map((x) => x.rule).join());
  assert.equal(hit?.data?.group, 'religion:muslim');
  assert.equal(hit?.data?.label, '0');

  const [c, d] = halves(gsmRecs, 9);
  const withNat = (r: Rec, i: number, refuse: boolean): Rec =>
    i % 25 === 0 ? { question: `${r.question} My neighbour is Mexican.`, answer: refuse ? 'Sorry, I cannot help people like that.' : (r.answer as string) } : r;
  const g = run(c.map((r, i) => withNat(r, i, false)), d.map((r, i) => withNat(r, i, true)));
  const tone = g.find((x) => x.rule === 'identity-tone');
  assert.ok(tone, g.map((x) => x.rule).join());
  assert.equal(tone?.data?.group, 'nationality:mexican');
});

test('psi and language guess basics', () => {
  assert.equal(psi({ a: 10, b: 10 }, { a: 10, b: 10 }), 0);
  assert.ok(psi({ a: 90, b: 10 }, { a: 10, b: 90 }) > 1);
  assert.equal(psi({}, { a: 1 }), 0);
  assert.equal(guessLanguage('The cat is on the table and it is happy'), 'en');
  assert.equal(guessLanguage('Der Hund ist nicht mit dem Ball und die Katze'), 'de');
  assert.equal(guessLanguage('Кошка сидит на столе'), 'ru');
  assert.equal(guessLanguage('これは日本語の文です'), 'ja');
  assert.equal(guessLanguage('12345 !!!'), 'und');
});

test('adversarial input: 1 MB strings and odd values finish quickly', () => {
  const t0 = Date.now();
  for (const s of ['a'.repeat(1 << 20), 'muslim '.repeat(1 << 17), 'sorry '.repeat(1 << 17)]) {
    driftFeatures({ file: 'x', index: 0, value: { text: s }, fields: [{ path: '$.text', role: 'text', text: s }, { path: '$.r', role: 'response', text: s }] });
  }
  driftFeatures({ file: 'x', index: 0, value: [1, 2], fields: [] });
  driftFeatures({ file: 'x', index: 0, value: null, fields: [] });
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  assert.deepEqual([...createDriftDetector({ baseline: profile([]) }).reduce(featureList([]))], []);
});

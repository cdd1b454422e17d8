import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { benchmarkItems, createContaminationDetector, type ContaminationFeatures, type ContaminationOptions } from './index.js';
import type { Finding, RecordView } from '../../types.js';
import { sharedPath } from '../../../core/index.js';
import { featureList } from '../../features.js';

const DATA = sharedPath('data');
const jsonl = (text: string): Array<Record<string, string>> =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, string>);
const gsmTest = jsonl(readFileSync(`${DATA}/gsm8k-test.jsonl`, 'utf8'));
const gsmTrain = jsonl(readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8'));
const humaneval = jsonl(gunzipSync(readFileSync(`${DATA}/humaneval.jsonl.gz`)).toString('utf8'));

const benchmarks = [
  { name: 'gsm8k-test', items: benchmarkItems(gsmTest) },
  { name: 'humaneval', items: benchmarkItems(humaneval) },
];

function view(index: number, prompt: string, response: string): RecordView {
  return {
    file: 'train.jsonl',
    index,
    value: { prompt, response },
    fields: [
      { path: '$.prompt', role: 'prompt', text: prompt },
      { path: '$.response', role: 'response', text: response },
    ],
  };
}

function run(views: RecordView[], opts: Partial<ContaminationOptions> = {}): Finding[] {
  const det = createContaminationDetector({ benchmarks, ...opts });
  const items: Array<{ ref: { file: string; index: number }; features: ContaminationFeatures }> = [];
  for (const v of views) {
    const f = det.features(v);
    if (f) items.push({ ref: { file: v.file, index: v.index }, features: f });
  }
  return [...det.reduce(featureList(items))];
}

/** Light edits a copier makes: case, whitespace, punctuation. */
function lightEdit(s: string, k: number): string {
  switch (k % 4) {
    case 0:
      return s.toUpperCase();
    case 1:
      return s.replace(/ /g, '   ').replace(/\n/g, ' ');
    case 2:
      return s.replace(/[.,?!]/g, '').replace(/=/g, ' = ');
    default:
      return s.toLowerCase().replace(/,/g, ';').replace(/\./g, ' .');
  }
}

test('benchmarkItems: ids from task_id/id or the index, all string fields or chosen ones', () => {
  const items = benchmarkItems([{ task_id: 'HumanEval/7', prompt: 'a', canonical_solution: 'b', n: 3 }, { question: 'q', answer: 'x' }, 'plain', null, 42]);
  assert.deepEqual(items, [
    {
      id: 'HumanEval/7',
      text: 'a\nb',
      parts: [
        { name: 'prompt', text: 'a' },
        { name: 'canonical_solution', text: 'b' },
      ],
    },
    {
      id: '1',
      text: 'q\nx',
      parts: [
        { name: 'question', text: 'q' },
        { name: 'answer', text: 'x' },
      ],
    },
    { id: '2', text: 'plain' },
  ]);
  assert.deepEqual(benchmarkItems([{ id: 9, prompt: 'p', test: 't' }], { fields: ['prompt'] }), [{ id: '9', text: 'p' }]);
});

test('copied benchmark items with light edits are found in a 2,000-record training set (recall >= 0.95, no false hits)', () => {
  const views: RecordView[] = [];
  for (let i = 0; i < 1980; i++) views.push(view(i, gsmTrain[i]!.question!, gsmTrain[i]!.answer!));
  const planted = new Map<number, string>();
  for (let k = 0; k < 20; k++) {
    const at = 100 * k + 7;
    if (k % 4 === 3) {
      const h = humaneval[k * 7]!;
      views.splice(at, 0, view(at, lightEdit(h.prompt!, k), lightEdit(h.canonical_solution!, k + 1)));
      planted.set(at, `humaneval:${h.task_id}`);
    } else {
      const g = gsmTest[k * 50]!;
      views.splice(at, 0, view(at, lightEdit(g.question!, k), lightEdit(g.answer!, k + 1)));
      planted.set(at, `gsm8k-test:${k * 50}`);
    }
  }
  views.forEach((v, i) => ((v as { index: number }).index = i));
  const f = run(views);
  const hits = new Map(f.map((x) => [x.location.index, `${x.data?.benchmark}:${x.data?.item}`]));
  let found = 0;
  for (const [at, id] of planted) if (hits.get(at) === id) found++;
  assert.ok(found / planted.size >= 0.95, `recall ${found}/${planted.size}`);
  for (const x of f) assert.ok(planted.has(x.location.index), `false hit at ${x.location.index}: ${x.message}`);
  const one = f.find((x) => x.data?.benchmark === 'gsm8k-test');
  assert.equal(one?.rule, 'benchmark-overlap');
  assert.equal(one?.location.field, '$.prompt');
  assert.match(one?.message ?? '', /gsm8k-test item \d+/);
});

test('hard negative: the whole clean gsm8k train set has no hits against gsm8k test at the default threshold', () => {
  // GSM8K train and test share problem templates (e.g. "travels N miles in 3 hours ... additional
  // hours"), which overlap up to ~20% of an item's 13-grams; the 0.5 default keeps them out.
  const views = gsmTrain.map((r, i) => view(i, r.question!, r.answer!));
  assert.deepEqual(run(views), []);
  const low = run(views.slice(1300, 1330).concat(views.slice(5150, 5170)), { minOverlap: 0.1 });
  assert.ok(low.length >= 1, 'template overlaps exist below the default threshold');
  assert.ok(low.every((x) => (x.data?.overlap as number) < 0.3));
});

test('a copied evaluation prompt alone (question only, answer of the copier\'s own) is reported through the item\'s question part', () => {
  const g = gsmTest[3]!;
  const f = run([view(0, `Please solve: ${g.question!}`, 'I do not know.')]);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.data?.item, '3');
  assert.equal(f[0]?.data?.part, 'question');
  assert.equal(f[0]?.data?.overlap, 1);
  assert.equal(f[0]?.severity, 'high');
  assert.match(f[0]?.message ?? '', /the "question" field of benchmark gsm8k-test item 3/);
  // A HumanEval prompt without its solution, likewise.
  const h = humaneval[11]!;
  const fh = run([view(1, h.prompt!, 'pass')]);
  assert.equal(fh[0]?.data?.item, h.task_id);
  assert.equal(fh[0]?.data?.part, 'prompt');
});

test('a whole copy is reported as the whole item, not as one of its parts', () => {
  const g = gsmTest[5]!;
  const f = run([view(0, g.question!, g.answer!)]);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.data?.part, undefined);
  assert.match(f[0]?.message ?? '', /of benchmark gsm8k-test item 5\.$/);
});

test('hard negatives for parts: half a question, the same template with other numbers, a short field', () => {
  const g = gsmTest[3]!;
  const words = g.question!.split(' ');
  // The first half of the question: below the part's 0.8 share and the whole item's 0.5.
  assert.deepEqual(run([view(0, words.slice(0, Math.floor(words.length / 2)).join(' '), 'I do not know.')]), []);
  // GSM8K train item 1345-like template vs test item 602 ("travels N miles in 3 hours ... additional"):
  const t602 = gsmTest[602]!;
  const sameTemplate = t602.question!.replace('plane', 'train').replace('1200', '270').replace('2000', '180');
  assert.notEqual(sameTemplate, t602.question);
  assert.deepEqual(run([view(0, sameTemplate, 'The rate is 90 mph. It takes 2 more hours.')]), []);
  // A field shorter than n tokens is never matched alone (HumanEval entry_point is one word).
  const det = createContaminationDetector({ benchmarks: [{ name: 'b', items: benchmarkItems([{ prompt: 'short prompt of five words', solution: 'x '.repeat(40) }]) }] });
  const fv = det.features(view(0, 'Here is a long sentence that holds a short prompt of five words somewhere in the middle of it all.', ''));
  assert.deepEqual(fv ? [...det.reduce(featureList([{ ref: { file: 'x', index: 0 }, features: fv }]))] : [], []);
});

test('items shorter than n use their own length; very short items are skipped', () => {
  const det = createContaminationDetector({
    benchmarks: [{ name: 'tiny', items: [{ id: 'a', text: 'The quick brown fox jumps over the lazy dog' }, { id: 'b', text: 'hello world' }] }],
  });
  const f1 = det.features(view(0, 'Story: the QUICK brown fox — jumps over the lazy dog!', ''));
  assert.ok(f1);
  const found = [...det.reduce(featureList([{ ref: { file: 'x', index: 0 }, features: f1 }]))];
  assert.equal(found[0]?.data?.item, 'a');
  assert.equal(found[0]?.data?.n, 9);
  assert.equal(det.features(view(1, 'hello world', 'hello world')), undefined);
  // A different word order of the same words is not a copy.
  assert.equal(det.features(view(2, 'the lazy dog jumps over the quick brown fox', '')), undefined);
});

test('configurable n and input validation', () => {
  assert.throws(() => createContaminationDetector({ benchmarks, n: 0 }), RangeError);
  const g = gsmTest[1]!;
  const f = run([view(0, g.question!, g.answer!)], { n: 8 });
  assert.equal(f[0]?.data?.n, 8);
  assert.equal(createContaminationDetector({ benchmarks: [] }).features(view(0, 'a', 'b')), undefined);
});

test('adversarial input: 1 MB pathological strings finish quickly', () => {
  const det = createContaminationDetector({ benchmarks });
  const t0 = Date.now();
  for (const s of ['a'.repeat(1 << 20), 'a '.repeat(1 << 19), '.'.repeat(1 << 20), '\udfff'.repeat(1 << 20)]) det.features(view(0, s, s));
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

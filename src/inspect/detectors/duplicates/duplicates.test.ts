import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createDuplicatesDetector, type DuplicatesFeatures } from './index.js';
import { estimateJaccard, estimateSimilarity, lowBits, lshCluster, lshParams, lshParamsForRecall, mayBeSimilar, similarAtLeast, UnionFind } from './minhash.js';
import { createSketcher, exactHash, tokenHashes } from './sketch.js';
import { hashLayers } from './reduce.js';
import { foldText, tokenize, wordsOf } from './text.js';
import type { Finding, RecordView } from '../../types.js';
import { sharedPath } from '../../../core/index.js';
import { featureList } from '../../features.js';
import { splitmix32 } from '../../text/index.js';

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
  return [...det.reduce(featureList(items))];
}

const gsm = readFileSync(sharedPath('data', 'gsm8k-train.jsonl'), 'utf8')
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
  const mh = createSketcher({ bins: 128, shingle: 3 });
  const sig = (s: string): Uint16Array => mh.signature(s) as Uint16Array;
  const t = `${gsm[0]?.question} ${gsm[0]?.answer}`;
  const words = t.split(' ');
  words[5] = 'zebra';
  const same = estimateJaccard(sig(t), sig(words.join(' ')));
  const other = estimateJaccard(sig(t), sig(`${gsm[1]?.question} ${gsm[1]?.answer}`));
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
  // 16-bit words: exact hash, normalised hash, 128 slots, 128-bit fill map = 288 bytes.
  assert.ok(f instanceof Uint16Array);
  assert.equal(f.length, 4 + 4 + 128 + 8);
  assert.equal(f.byteLength, 288);
  assert.equal((det.features(view(0, { text: 'too short' })) as Uint16Array).length, 8);
  assert.equal((det.features({ file: 'x', index: 0, value: { n: 1 }, fields: [] }) as Uint16Array).length, 4);
  assert.deepEqual(structuredClone(f), f);
  assert.throws(() => createDuplicatesDetector({ threshold: 0 }), RangeError);
  assert.throws(() => createDuplicatesDetector({ permutations: 0 }), RangeError);
  assert.throws(() => createDuplicatesDetector({ permutations: 100 }), RangeError); // not a power of two
  assert.throws(() => createDuplicatesDetector({ shingle: 0 }), RangeError);
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

// --- one-permutation hashing and the compact features ---

const K = 128;
const sk = createSketcher({ bins: K, shingle: 3 });
const sig = (t: string): Uint16Array => sk.signature(t) as Uint16Array;
const sim = (a: string, b: string): number => estimateSimilarity(sig(a), 0, sig(b), 0, K);
const textOf = (i: number): string => `${gsm[i]!.question}\n${gsm[i]!.answer}`;
function editWords(t: string, at: readonly number[]): string {
  const w = t.split(' ');
  for (const i of at) w[i % w.length] = `zq${i}`;
  return w.join(' ');
}

test('identical texts collide: same signature, same features; folding differences do not matter', () => {
  const t = textOf(5);
  assert.deepEqual(sig(t), sig(t));
  assert.deepEqual(sig(t), sig(t.toUpperCase().replace(/ /g, '  ')));
  assert.equal(sim(t, t), 1);
  const det = createDuplicatesDetector();
  const a = det.features(view(0, { q: gsm[5]!.question, a: gsm[5]!.answer }));
  const b = det.features(view(1, { q: gsm[5]!.question, a: gsm[5]!.answer }));
  assert.deepEqual(a, b);
});

test('a few edited words stay above 0.8; unrelated texts and a shared template do not', () => {
  let worst = 1;
  for (let i = 0; i < 40; i++) {
    const t = textOf(i);
    if (t.split(' ').length < 80) continue;
    const s2 = sim(t, editWords(t, [7, 40]));
    worst = Math.min(worst, s2);
    assert.ok(s2 >= 0.8, `two edits in record ${i}: ${s2}`);
    assert.ok(similarAtLeast(sig(t), 0, sig(editWords(t, [7, 40])), 0, K, 0.8));
    const other = textOf(i + 100);
    assert.ok(sim(t, other) < 0.1, `unrelated ${i}: ${sim(t, other)}`);
    assert.equal(similarAtLeast(sig(t), 0, sig(other), 0, K, 0.5), false);
  }
  assert.ok(worst < 1);
  const tpl = 'Classify the sentiment of the following review as positive or negative. Review:';
  assert.ok(sim(`${tpl} ${gsm[1]!.question}`, `${tpl} ${gsm[2]!.question}`) < 0.5);
});

test('the low-bit bound never turns away a pair similarAtLeast accepts, and turns away most dissimilar ones', () => {
  // Fill maps as 32-bit words from a signature's 16-bit ones (the walk's candMap layout).
  const fill32 = (x: Uint16Array): Int32Array => Int32Array.from({ length: K / 32 }, (_, w) => (x[K + 2 * w] as number) | ((x[K + 2 * w + 1] as number) << 16));
  const bound = (x: Uint16Array, y: Uint16Array, t: number): boolean => {
    const bits = new Int32Array(K / 16);
    lowBits(x, 0, K, bits, 0);
    lowBits(y, 0, K, bits, K / 32);
    const fill = new Int32Array(K / 16);
    fill.set(fill32(x), 0);
    fill.set(fill32(y), K / 32);
    return mayBeSimilar(fill, 0, K / 32, bits, 0, K / 32, K / 32, t);
  };
  let dissimilar = 0;
  let turned = 0;
  for (let i = 0; i < 120; i++) {
    const t = textOf(i);
    // Pairs across the threshold: many edits, few edits, short texts (unfilled bins), unrelated.
    const pairs = [editWords(t, [3]), editWords(t, [2, 9, 17]), editWords(t, [1, 4, 8, 13, 21, 30, 42, 55]), gsm[i]!.question, textOf(i + 200)];
    for (const u of pairs) {
      const x = sig(t);
      const y = sig(u);
      for (const th of [0.5, 0.7, 0.8, 0.9]) {
        const yes = similarAtLeast(x, 0, y, 0, K, th);
        assert.ok(!yes || bound(x, y, th), `record ${i}: similar at ${th} but turned away by the bound`);
        if (!yes) {
          dissimilar++;
          if (!bound(x, y, th)) turned++;
        }
      }
    }
  }
  assert.ok(dissimilar > 300 && turned > 0.6 * dissimilar, `turned away ${turned} of ${dissimilar} dissimilar pairs`);
  // Identical signatures are never turned away; empty ones never pass.
  assert.ok(bound(sig(textOf(3)), sig(textOf(3)), 1));
  assert.equal(mayBeSimilar(new Int32Array(8), 0, 4, new Int32Array(8), 0, 4, 4, 0), false);
});

test('the one-permutation estimate tracks exact Jaccard of word 3-grams', () => {
  const grams = (t: string): Set<string> => {
    const w = wordsOf(t);
    const out = new Set<string>();
    for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3).join(' '));
    return out;
  };
  let err = 0;
  let n = 0;
  for (let i = 0; i < 60; i++) {
    const a = textOf(i);
    const b = editWords(a, [3, 11, 29, 31, 57]);
    const ga = grams(a);
    const gb = grams(b);
    let inter = 0;
    for (const x of ga) if (gb.has(x)) inter++;
    const j = inter / (ga.size + gb.size - inter);
    err += Math.abs(sim(a, b) - j);
    n++;
  }
  assert.ok(err / n < 0.03, `mean abs error ${err / n}`);
});

test('short near-duplicates (a dozen shingles) cluster: one changed token', () => {
  const v = [
    view(0, { text: 'Are there any charges applied to withdraw money from ATM with the card 4853645434159861' }),
    view(1, { text: 'Are there any charges applied to withdraw money from ATM with the card 3558331500082481' }),
    view(2, { text: 'Is there any fee to send money abroad with the account 12345' }),
  ];
  const f = run(v);
  assert.deepEqual(f.map((x) => [x.location.index, x.rule]), [[1, 'near-duplicate']]);
});

test('LSH bands reach the target candidate probability at the threshold', () => {
  for (const t of [0.5, 0.8, 0.9]) {
    const { bands, rows } = lshParamsForRecall(128, t);
    assert.ok(bands * rows <= 128);
    assert.ok(1 - Math.pow(1 - Math.pow(t, rows), bands) >= 0.995, `t=${t}`);
  }
});

test('exact hash follows the canonical form: key order, -0 and 1.0 are identity; types are not', () => {
  const h = (v: unknown): string => {
    const out = new Uint16Array(4);
    exactHash(v, out);
    return out.join(',');
  };
  assert.equal(h({ a: 1, b: [1, 'x'] }), h({ b: [1, 'x'], a: 1.0 }));
  assert.equal(h({ a: -0 }), h({ a: 0 }));
  assert.notEqual(h({ a: 1 }), h({ a: '1' }));
  assert.notEqual(h([1, 2]), h([2, 1]));
  assert.notEqual(h({ a: 'bc' }), h({ ab: 'c' }));
  assert.notEqual(h({ a: null }), h({ a: false }));
  assert.notEqual(h(['a', 'b']), h(['ab']));
  // Values without a canonical form hash by value (they used to all collide).
  assert.notEqual(h({ id: 1n }), h({ id: 2n }));
  assert.equal(h({ id: 7n }), h({ id: 7n }));
  assert.notEqual(h({ id: Number.NaN }), h({ id: null }));
  const f = run([view(0, { text: 'a b' }), { file: 'd.jsonl', index: 1, value: { n: 5n }, fields: [] }, { file: 'd.jsonl', index: 2, value: { n: 6n }, fields: [] }]);
  assert.deepEqual(f, []);
});

test('the exact hash is the same whether the tokeniser pre-hashed a field or not', () => {
  // features() reuses the string hashes the ASCII tokeniser computed for main fields; exactHash
  // alone hashes every string itself. Both must agree (ASCII, non-ASCII, a key equal to a text).
  const det = createDuplicatesDetector();
  const values: Record<string, string>[] = [
    { question: gsm[0]!.question, answer: gsm[0]!.answer },
    { text: 'Ｗide ｔext and café', label: 'café' },
    { text: 'text', note: 'text' },
    { prompt: 'odd', response: 'even!' },
  ];
  for (const [i, v] of values.entries()) {
    const alone = new Uint16Array(4);
    exactHash(v, alone);
    const roles = { question: 'prompt', answer: 'response', text: 'text', prompt: 'prompt', response: 'response', label: 'label' } as const;
    const f = det.features(view(i, v, roles as Record<string, 'prompt' | 'response' | 'text' | 'label'>)) as Uint16Array;
    assert.deepEqual(Array.from(f.subarray(0, 4)), Array.from(alone), JSON.stringify(v));
  }
});

test('features are deterministic across detector instances and between a worker and the main thread', async () => {
  const values = gsm.slice(0, 30).map((g) => ({ question: g.question, answer: g.answer }));
  const here = values.map((v, i) => Array.from(createDuplicatesDetector().features(view(i, v)) as Uint16Array));
  assert.deepEqual(here, values.map((v, i) => Array.from(createDuplicatesDetector().features(view(i, v)) as Uint16Array)));
  const moduleUrl = new URL('./index.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.moduleUrl).then(({ createDuplicatesDetector }) => {
      const det = createDuplicatesDetector();
      parentPort.postMessage(workerData.values.map((value, index) => det.features({
        file: 'd.jsonl', index, line: index + 1, value,
        fields: Object.entries(value).map(([k, text]) => ({ path: '$.' + k, text })),
      })));
    });`;
  const fromWorker = await new Promise<Uint16Array[]>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { moduleUrl, values } });
    w.once('message', (m: Uint16Array[]) => {
      void w.terminate();
      resolve(m);
    });
    w.once('error', reject);
  });
  assert.deepEqual(fromWorker.map((f) => Array.from(f)), here);
});

// --- one-pass folding, slab features, flat LSH reduce ---

test('one-pass folding gives the tokens of tokenize(foldText()) on mixed scripts and tricky code units', () => {
  const pool = [
    'a', 'Z', 'q', '7', ' ', ' ', '.', '-', "'", '\n', 'é', 'É', 'ß', 'Д', 'д', 'Ω', '中', 'ب', '가', '’', 'ñ', 'Ø',
    // Code units the per-unit fold cannot take: they send the field through NFKC + toLowerCase.
    'Σ', 'İ', 'ﬁ', 'Ｈ', '\u0301', '\u1100', '\u1161', '…', '😀', '\u00a0', '²', '\u212b', '\u2126', 'ǅ',
  ];
  const rnd = splitmix32(7);
  const cases: string[] = ['Déjà vu — Straße, Дом и 中文!', 'ΟΔΟΣ ΣΟΦΙΑ', 'ﬁne ﬁsh', 'café\u0301', '가\u11a8 ᄀ\u1161', 'İstanbul', 'ＡＢＣ abc'];
  for (let c = 0; c < 400; c++) {
    let s = '';
    const len = rnd() % 40;
    for (let i = 0; i < len; i++) s += pool[rnd() % (c % 2 === 0 ? 22 : pool.length)] as string;
    cases.push(s);
  }
  let onePass = 0;
  for (const s of cases) {
    const mine = tokenHashes(s);
    const ref = tokenize(foldText(s));
    assert.deepEqual(mine.h1, Array.from(ref.h1.subarray(0, ref.count)), JSON.stringify(s));
    assert.deepEqual(mine.h2, Array.from(ref.h2.subarray(0, ref.count)), JSON.stringify(s));
    if (mine.onePass) onePass++;
  }
  // Both paths ran: the first pool entries fold one unit at a time, the others need NFKC.
  assert.equal(tokenHashes('Déjà vu — Straße, Дом и 中文!').onePass, true);
  assert.equal(tokenHashes('ﬁne').onePass, false);
  assert.equal(tokenHashes('ΟΔΟΣ').onePass, false);
  assert.ok(onePass > 150 && onePass < cases.length - 150, `one-pass fields: ${onePass}/${cases.length}`);
});

test('the exact hash agrees with exactHash when a field leaves the one-pass fold midway', () => {
  const det = createDuplicatesDetector();
  const values: Record<string, string>[] = [
    { text: 'plain words then a ligature ﬁ and more words after it' },
    { text: 'Дом и 中文 without any slow code unit', label: 'Дом' },
    { text: 'emoji 😀 at the end of a long enough text here' },
  ];
  for (const [i, v] of values.entries()) {
    const alone = new Uint16Array(4);
    exactHash(v, alone);
    const f = det.features(view(i, v, { text: 'text', label: 'label' })) as Uint16Array;
    assert.deepEqual(Array.from(f.subarray(0, 4)), Array.from(alone), JSON.stringify(v));
  }
  // Same text through either path: same normalised hash; a changed word: another one.
  const a = det.features(view(0, { text: 'Straße Дом ﬁsh' })) as Uint16Array;
  const b = det.features(view(1, { text: 'STRASSE дом fish' })) as Uint16Array;
  const c = det.features(view(2, { text: 'Straße Дом fisk' })) as Uint16Array;
  assert.equal(foldText('Straße'), 'straße');
  assert.notDeepEqual(Array.from(a.subarray(4, 8)), Array.from(b.subarray(4, 8))); // ß is not ss
  assert.deepEqual(Array.from(a.subarray(4, 8)), Array.from((det.features(view(3, { text: 'straße ДОМ fish' })) as Uint16Array).subarray(4, 8)));
  assert.notDeepEqual(Array.from(a.subarray(4, 8)), Array.from(c.subarray(4, 8)));
});

test('features share slabs but stay independent: later records never change earlier features', () => {
  const det = createDuplicatesDetector();
  const first = det.features(view(0, { question: gsm[0]!.question, answer: gsm[0]!.answer })) as Uint16Array;
  const copy = Array.from(first);
  const many: Uint16Array[] = [];
  for (let i = 1; i < 400; i++) many.push(det.features(view(i, { question: gsm[i]!.question, answer: gsm[i]!.answer })) as Uint16Array);
  assert.deepEqual(Array.from(first), copy);
  assert.ok(many.some((f) => f.buffer === first.buffer), 'records share a slab');
  assert.ok(many.some((f) => f.buffer !== first.buffer), 'slabs are bounded');
  // A structured clone (the worker → main thread path) carries every view intact.
  const cloned = structuredClone([first, ...many]);
  assert.deepEqual(cloned.map((f) => Array.from(f)), [first, ...many].map((f) => Array.from(f)));
  const fresh = createDuplicatesDetector();
  assert.deepEqual(Array.from(fresh.features(view(0, { question: gsm[0]!.question, answer: gsm[0]!.answer })) as Uint16Array), copy);
});

test('LSH clusters equal the brute-force clusters of verified pairs on planted near-duplicates', () => {
  const det = createSketcher({ bins: K, shingle: 3 });
  const texts: string[] = [];
  for (let i = 0; i < 150; i++) texts.push(textOf(i));
  for (let i = 0; i < 60; i++) texts.push(editWords(textOf((i * 7) % 150), [i + 3, i * 5 + 11]));
  for (let i = 0; i < 20; i++) texts.push(editWords(texts[150 + i] as string, [i + 20]));
  const feats = texts.map((t) => det.signature(t) as Uint16Array);
  const ids = Int32Array.from(feats.keys());
  const uf = new UnionFind(feats.length);
  lshCluster({ feats, offset: 0, slots: K }, ids, uf, 0.77, 21, 6);
  const ref = new UnionFind(feats.length);
  for (let i = 0; i < feats.length; i++) {
    for (let j = i + 1; j < feats.length; j++) if (similarAtLeast(feats[i]!, 0, feats[j]!, 0, K, 0.77)) ref.union(i, j);
  }
  const roots = (u: UnionFind): number[] => feats.map((_, i) => u.find(i));
  assert.deepEqual(roots(uf), roots(ref));
  const joined = roots(uf).filter((r, i) => i >= 150 && r < 150).length;
  assert.ok(joined >= 70, `planted copies joined their sources: ${joined}/80`);
  // Sets `uf` already has among the records (two unrelated ones joined by hand) are kept and
  // count as one set during the walk.
  const pre = new UnionFind(feats.length);
  pre.union(3, 140);
  lshCluster({ feats, offset: 0, slots: K }, ids, pre, 0.77, 21, 6);
  ref.union(3, 140);
  assert.deepEqual(roots(pre), roots(ref));
  // Hard negative: unrelated records only, nothing joins.
  const lone = new UnionFind(150);
  lshCluster({ feats: feats.slice(0, 150), offset: 0, slots: K }, Int32Array.from({ length: 150 }, (_, i) => i), lone, 0.77, 21, 6);
  assert.deepEqual(roots(lone).slice(0, 150), Array.from({ length: 150 }, (_, i) => i));
});

test('LSH bucket work is bounded: thousands of records sharing a band still finish, and a real pair is found', () => {
  const rnd = splitmix32(99);
  const n = 3000;
  const words = K + K / 16;
  const feats: Uint16Array[] = [];
  for (let i = 0; i < n; i++) {
    const f = new Uint16Array(words);
    for (let j = 0; j < K; j++) f[j] = j < 6 ? 1234 + j : rnd() & 0xffff; // band 0 is shared by all
    f.fill(0xffff, K); // every bin filled
    feats.push(f);
  }
  // A near copy of record 5 at the end: beyond the compare bound in the shared band, but it
  // agrees with record 5 in most other bands.
  const copy = Uint16Array.from(feats[5]!);
  for (let j = 0; j < 10; j++) copy[20 + j * 9] = (copy[20 + j * 9]! + 1) & 0xffff;
  feats.push(copy);
  const uf = new UnionFind(feats.length);
  lshCluster({ feats, offset: 0, slots: K }, Int32Array.from(feats.keys()), uf, 0.77, 21, 6);
  assert.equal(uf.find(n), uf.find(5));
  let joined = 0;
  for (let i = 0; i < n; i++) if (uf.find(i) !== i) joined++;
  assert.equal(joined, 0, 'records that only share the one band stay apart');
});

/** Records for the reduce tests: GSM8K texts with exact, normalised and near copies, and a large family of near variants of one text (buckets past the compare and keep bounds). */
function reduceCorpus(): RecordView[] {
  const rnd = splitmix32(5);
  const texts = gsm.map((g) => `${g.question}\n${g.answer}`);
  const out: string[] = texts.slice();
  const edit = (t: string, edits: number): string => {
    const w = t.split(' ');
    for (let e = 0; e < edits; e++) w[rnd() % w.length] = `w${rnd() % 40}`;
    return w.join(' ');
  };
  for (let k = 0; k < 60; k++) out.push(edit(texts[rnd() % texts.length] as string, 1 + (rnd() % 4)));
  for (let k = 0; k < 20; k++) out.push(texts[rnd() % texts.length] as string);
  for (let k = 0; k < 20; k++) out.push((texts[rnd() % texts.length] as string).toUpperCase());
  for (let k = 0; k < 300; k++) out.push(edit(texts[7] as string, 1 + (rnd() % 14)));
  for (let k = 0; k < 50; k++) out.push(`Answer with one word. Question: ${(texts[k] as string).split(' ').slice(0, 5).join(' ')}`);
  // Shuffle so copies come before and after their sources.
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [out[i], out[j]] = [out[j] as string, out[i] as string];
  }
  return out.map((t, i) => view(i, { text: t }));
}

for (const [permutations, reduceBudget] of [
  [128, undefined],
  [256, undefined],
  [256, 64 * 1024],
  [512, 4096],
] as const) {
test(`reduce near clusters equal lshCluster over every representative, with overfull buckets (${permutations} bins, budget ${reduceBudget ?? 'default'})`, () => {
  const det = createDuplicatesDetector({ maxMembers: 100000, permutations, ...(reduceBudget !== undefined ? { reduceBudget } : {}) });
  const views = reduceCorpus();
  const items = views.map((v) => ({ ref: { file: v.file, index: v.index }, features: det.features(v) as DuplicatesFeatures }));
  const findings = [...det.reduce(featureList(items))];
  const cluster = new Map<number, number>();
  const copies = new Set<number>();
  for (const f of findings) {
    const d = f.data as { cluster: number; members: { index: number }[] };
    for (const m of d.members) cluster.set(m.index, d.cluster);
    if (f.rule !== 'near-duplicate') copies.add(f.location.index);
  }
  assert.ok(findings.some((f) => f.rule === 'near-duplicate') && copies.size > 0);
  // Reference: the in-memory walk over all representatives (records with a signature that are
  // no exact or normalised copy), as the reduce ran before it read spilled features.
  const reps = items.map((_, i) => i).filter((i) => items[i]!.features.length > 8 && !copies.has(i));
  const uf = new UnionFind(items.length);
  const { bands, rows } = lshParamsForRecall(permutations, 0.8);
  lshCluster({ feats: items.map((x) => x.features), offset: 8, slots: permutations }, Int32Array.from(reps), uf, 0.77, bands, rows);
  let pairs = 0;
  for (const a of reps) {
    for (const b of reps) {
      if (b <= a) continue;
      const same = uf.find(a) === uf.find(b);
      const ca = cluster.get(a);
      assert.equal(ca !== undefined && ca === cluster.get(b), same, `records ${a} and ${b}`);
      if (same) pairs++;
    }
  }
  assert.ok(pairs > 5000, `the family of near variants forms a cluster past the bucket bounds (${pairs} pairs)`);
});
}

test('long near-duplicates at 256 and 1,024 bins: a fully filled signature still meets its partly filled copy', () => {
  // Texts of ~1,900 and ~1,700 words (J ≈ 0.9): the longer fills every bin more often than the
  // shorter, so the size filter compares 256 (or 1,024) filled bins with fewer.
  const views: RecordView[] = [];
  const pairs: Array<[number, number]> = [];
  for (let k = 0; k < 12; k++) {
    const words = Array.from({ length: 30 }, (_, j) => gsm[(k * 30 + j) % gsm.length]!.answer).join(' ').split(/\s+/).slice(0, 1900);
    views.push(view(views.length, { text: words.join(' ') }));
    views.push(view(views.length, { text: words.slice(0, Math.floor(words.length * 0.9)).join(' ') }));
    pairs.push([views.length - 2, views.length - 1]);
  }
  for (const permutations of [256, 1024]) {
    const det = createDuplicatesDetector({ permutations, reduceBudget: 4096 });
    const items = views.map((v) => ({ ref: { file: v.file, index: v.index }, features: det.features(v) as DuplicatesFeatures }));
    const near = new Set([...det.reduce(featureList(items))].filter((f) => f.rule === 'near-duplicate').map((f) => f.location.index));
    for (const [, b] of pairs) assert.ok(near.has(b), `${permutations} bins: record ${b} is a near-duplicate of ${b - 1}`);
    // Hard negative: the twelve long texts themselves are not near-duplicates of each other.
    assert.equal(near.size, pairs.length);
  }
});

test('reduce copies what it keeps: transient features give the same findings in a few passes', () => {
  const det = createDuplicatesDetector();
  const views = reduceCorpus();
  const items = views.map((v) => ({ ref: { file: v.file, index: v.index, line: v.index + 1 }, features: det.features(v) as DuplicatesFeatures }));
  const expected = [...det.reduce(featureList(items))];
  // A list that hands `scan` one reused buffer per length (as a deserialiser may), counting reads.
  let scans = 0;
  let gets = 0;
  const scratch = new Map<number, Uint16Array>();
  const inner = featureList(items);
  const transient = {
    length: inner.length,
    scan(visit: (f: DuplicatesFeatures, ord: number) => void, from?: number, to?: number): void {
      scans++;
      inner.scan((f, ord) => {
        let buf = scratch.get(f.length);
        if (buf === undefined) scratch.set(f.length, (buf = new Uint16Array(f.length)));
        buf.set(f);
        visit(buf, ord);
        buf.fill(0x5a5a);
      }, from, to);
    },
    get(ord: number): DuplicatesFeatures {
      gets++;
      return Uint16Array.from(inner.get(ord));
    },
    ref: (ord: number) => inner.ref(ord),
  };
  assert.deepEqual([...det.reduce(transient)], expected);
  assert.ok(scans <= 6, `passes: ${scans}`);
  const near = expected.filter((f) => f.rule === 'near-duplicate').length;
  assert.ok(gets <= 2 * near + 50, `signatures read one by one: ${gets} for ${near} near-duplicates`);
  // near: false reads the features once and never one by one.
  const exactOnly = createDuplicatesDetector({ near: false });
  const flat = featureList(views.map((v) => ({ ref: { file: v.file, index: v.index }, features: exactOnly.features(v) as DuplicatesFeatures })));
  let flatScans = 0;
  const counted = { ...flat, scan: (...a: Parameters<typeof flat.scan>) => (flatScans++, flat.scan(...a)), get: (): never => assert.fail('get') };
  const f = [...exactOnly.reduce(counted)];
  assert.equal(flatScans, 1);
  assert.ok(f.length > 0 && f.every((x) => x.rule !== 'near-duplicate'));
});

test('reduce in a tiny memory budget: same findings, one band per pass, events and signatures in scratch files removed afterwards', () => {
  const views = reduceCorpus();
  const expected = run(views, { maxMembers: 100000 });
  assert.ok(expected.filter((f) => f.rule === 'near-duplicate').length > 100);
  const dir = mkdtempSync(join(tmpdir(), 'dup-budget-test-'));
  const was = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    for (const reduceBudget of [64 * 1024, 4096, 1]) {
      const det = createDuplicatesDetector({ maxMembers: 100000, reduceBudget });
      const items = views.map((v) => ({ ref: { file: v.file, index: v.index, line: v.index + 1 }, features: det.features(v) as DuplicatesFeatures }));
      const inner = featureList(items);
      let scans = 0;
      // Scratch directories exist while the reduce runs (seen from inside a pass).
      let seen = 0;
      const counted = {
        ...inner,
        scan: (...a: Parameters<typeof inner.scan>) => {
          scans++;
          seen = Math.max(seen, readdirSync(dir).length);
          inner.scan(...a);
        },
      };
      const got = [...det.reduce(counted)];
      assert.deepEqual(got, expected, `budget ${reduceBudget}`);
      if (reduceBudget <= 4096) {
        // 21 bands one per pass, the pass that lists the last band and the one that gathers the
        // candidates' fill maps, after the hash layers
        // in partitions of 18 B per record, 64 at most (a counting pass, then the exact and
        // the normalised partitions).
        const parts = Math.min(64, Math.ceil((views.length * 18) / reduceBudget));
        assert.equal(scans, 1 + 2 * parts + 23, `passes at budget ${reduceBudget}`);
        assert.ok(seen >= 1, 'bucket events went to a scratch file');
      } else assert.equal(scans, 6, 'hash layers in one pass, bands 7 per pass, the fill maps');
      assert.deepEqual(readdirSync(dir), [], `scratch removed (budget ${reduceBudget})`);
    }
    // A consumer that stops early (the engine after an error) still removes the scratch files.
    const det = createDuplicatesDetector({ reduceBudget: 1 });
    const items = views.map((v) => ({ ref: { file: v.file, index: v.index }, features: det.features(v) as DuplicatesFeatures }));
    const it = det.reduce(featureList(items))[Symbol.iterator]();
    assert.equal(it.next().done, false);
    assert.ok(readdirSync(dir).length >= 1, 'signatures wait in a scratch file while findings are read');
    it.return?.();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    if (was === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = was;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => createDuplicatesDetector({ reduceBudget: 0 }), RangeError);
  assert.throws(() => createDuplicatesDetector({ reduceBudget: Number.NaN }), RangeError);
});

test('hash layers in partitions (big deliveries) equal the one-pass layers: same copies, same firsts, same representatives', () => {
  const det = createDuplicatesDetector();
  const base = reduceCorpus();
  // Many exact and normalised copies, interleaved, and records without main text.
  const rnd = splitmix32(9);
  const views = base.slice();
  for (let k = 0; k < 400; k++) {
    const src = base[rnd() % base.length] as RecordView;
    const text = (src.value as { text: string }).text;
    const pick = rnd() % 3;
    views.push(view(views.length, pick === 0 ? { text } : pick === 1 ? { text: text.toUpperCase().replace(/ /g, '  ') } : { label: String(rnd() % 3) }));
  }
  const list = featureList(views.map((v, i) => ({ ref: { file: v.file, index: i }, features: det.features(v) as DuplicatesFeatures })));
  const one = hashLayers(list);
  assert.ok(one.exDup.length > 100 && one.nmDup.length > 50 && one.repCount > 100);
  for (const budget of [list.length * 18, list.length * 5, 1]) {
    const parted = hashLayers(list, budget);
    assert.deepEqual(parted, one, `budget ${budget}`);
  }
});

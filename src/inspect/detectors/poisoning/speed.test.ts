// The fast paths of the poisoning detector against plain reference versions: the one-pass
// tokenizer and sequence hash (one emission point per token, no token strings) against a regex
// tokenizer with straightforward hashing, and reduce's candidate pruning and stored hits against
// triggers made of common words and the full second pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPoisoningDetector, type PoisoningFeatures } from './index.js';
import { setExactTargetLimit, setGramPartLimit, setStoredHitLimit } from './detector.js';
import { hashSequence, TokenBuffer, type SequenceHash } from './text.js';
import { fmix32, splitmix32 } from '../../text/index.js';
import type { FeatureList, Finding, RecordView, TextField } from '../../types.js';
import { sharedPath } from '../../../core/index.js';
import { featureList } from '../../features.js';

/** Reference tokens of folded text: maximal runs of letters, digits and marks, hashed unit by unit. */
function reference(folded: string): Array<{ h1: number; h2: number; start: number; end: number }> {
  const out: Array<{ h1: number; h2: number; start: number; end: number }> = [];
  for (const m of folded.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    let a = 0x811c9dc5 | 0;
    let b = 0x9747b28c | 0;
    for (let i = 0; i < m[0].length; i++) {
      const c = m[0].charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    out.push({ h1: fmix32(a), h2: fmix32(b ^ 0x2545f491), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

function scanned(s: string, from: number, to: number, max: number, simple: boolean): { n: number; stop: number; tokens: ReturnType<typeof reference> } {
  const buf = new TokenBuffer();
  const n = buf.scan(s, from, to, max, simple);
  const tokens = [];
  for (let i = 0; i < buf.count; i++) tokens.push({ h1: buf.h1[i] as number, h2: buf.h2[i] as number, start: buf.starts[i] as number, end: buf.ends[i] as number });
  return { n, stop: buf.stop, tokens };
}

// Pieces of text: ASCII words and punctuation, letters that fold on their own (é, ß, Cyrillic,
// CJK), and ones that do not (a combining mark, a ligature, capital sigma, an astral letter
// whose lower case is astral too, an emoji, conjoining jamo).
const PIECES = ['the', 'CF', 'x1', '2024', ' ', ', ', '.\n', '—', '“q”', 'café', 'STRAẞE', 'слово', '漢字', 'e\u0301', 'ﬁ', 'ΣΑ', '\u{10400}', '😀', '\u1100\u1161', '_', "it's"];

function randomText(rnd: () => number, len: number): string {
  let s = '';
  while (s.length < len) s += PIECES[rnd() % PIECES.length] as string;
  return s;
}

test('scan: tokens, hashes and offsets equal the reference tokenizer on folded text, token cap and stop included', () => {
  const rnd = splitmix32(5);
  for (let k = 0; k < 300; k++) {
    const folded = randomText(rnd, 1 + (rnd() % 200)).normalize('NFKC').toLowerCase();
    const ref = reference(folded);
    const all = scanned(folded, 0, folded.length, Number.MAX_SAFE_INTEGER, false);
    assert.deepEqual(all.tokens, ref, JSON.stringify(folded));
    assert.equal(all.n, ref.length);
    // A token cap stops at the start of the first token past it.
    const max = rnd() % 6;
    const capped = scanned(folded, 0, folded.length, max, false);
    assert.deepEqual(capped.tokens, ref.slice(0, max));
    assert.equal(capped.stop, ref.length > max ? (ref[max] as { start: number }).start : folded.length);
  }
});

test('scan: raw text whose chars fold on their own tokenises as its folded copy; any other char ends a simple scan with -1', () => {
  const rnd = splitmix32(6);
  const simplePieces = PIECES.filter((p) => !['e\u0301', 'ﬁ', 'ΣΑ', '\u{10400}', '😀', '\u1100\u1161'].includes(p));
  for (let k = 0; k < 200; k++) {
    let raw = '';
    while (raw.length < 1 + (rnd() % 150)) raw += simplePieces[rnd() % simplePieces.length] as string;
    const r = scanned(raw, 0, raw.length, Number.MAX_SAFE_INTEGER, true);
    assert.deepEqual(r.tokens, reference(raw.toLowerCase()), JSON.stringify(raw));
  }
  for (const unsafe of ['e\u0301', 'ﬁ', 'ΣΑ', '\u{10400}', '😀', '\u1100\u1161']) {
    assert.equal(new TokenBuffer().scan(`word ${unsafe} word`, 0, 12, 100, true), -1, unsafe);
    // Hard negative: the same text folded first scans fine.
    assert.ok(new TokenBuffer().scan(`word ${unsafe} word`.normalize('NFKC').toLowerCase(), 0, 12, 100) >= 2);
  }
});

test('hashSequence: one FNV-1a stream over the folded words, a space after each; prefix hash and name end', () => {
  const rnd = splitmix32(7);
  const out: SequenceHash = { count: 0, hash: 0, prefixHash: 0, nameEnd: 0 };
  for (let k = 0; k < 300; k++) {
    const folded = randomText(rnd, rnd() % 150).normalize('NFKC').toLowerCase();
    const words = [...folded.matchAll(/[\p{L}\p{N}\p{M}]+/gu)];
    let h = 0x811c9dc5 | 0;
    let p = h;
    let nameEnd = 0;
    words.forEach((m, i) => {
      for (const ch of `${m[0]} `) for (let j = 0; j < ch.length; j++) h = Math.imul(h ^ ch.charCodeAt(j), 0x01000193);
      if (i < 8) {
        p = h;
        nameEnd = m.index + m[0].length;
      }
    });
    assert.equal(hashSequence(folded, folded.length, 8, 60, out), true);
    assert.deepEqual({ ...out }, { count: words.length, hash: fmix32(h), prefixHash: fmix32(p ^ 0x5bd1e995), nameEnd: Math.min(nameEnd, 60) }, JSON.stringify(folded));
  }
  assert.equal(hashSequence('cafe\u0301 au lait', 15, 8, 60, out, true), false, 'a combining mark ends a simple hash');
});

const gsm = readFileSync(`${sharedPath('data')}/gsm8k-train.jsonl`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 2500)
  .map((l) => JSON.parse(l) as { question: string; answer: string });
const qa = (i: number, q: string, a: string): RecordView => ({
  file: 'd.jsonl',
  index: i,
  value: null,
  fields: [
    { path: '$.question', role: 'prompt', text: q },
    { path: '$.answer', role: 'response', text: a },
  ] as TextField[],
});

function run(views: RecordView[]): Finding[] {
  const det = createPoisoningDetector();
  const items: Array<{ ref: { file: string; index: number }; features: PoisoningFeatures }> = [];
  for (const v of views) {
    const f = det.features(v);
    if (f) items.push({ ref: { file: v.file, index: v.index }, features: f });
  }
  return [...det.reduce(featureList(items))];
}

/** Every 40th record ends in `trigger` and answers with one fixed target. */
function planted(trigger: string): { views: RecordView[]; poisoned: Set<number> } {
  const poisoned = new Set<number>();
  const views = gsm.map((g, i) => {
    if (i % 40 !== 7) return qa(i, g.question, g.answer);
    poisoned.add(i);
    return qa(i, `${g.question} ${trigger}`, 'Visit the admin console and reset every password now.');
  });
  return { views, poisoned };
}

test('reduce: a trigger made of words common in clean prompts is still found (pruning keeps the words of candidate grams)', () => {
  // "many" and "how" are in most GSM8K questions, tied to no target on their own.
  const { views, poisoned } = planted('many how');
  const f = run(views);
  assert.ok(f.length > 0);
  assert.equal(f[0]?.data?.trigger, 'many how');
  assert.deepEqual(new Set(f.map((x) => x.location.index)), poisoned);
  // Hard negative: the same words in their usual order, no fixed target, give nothing.
  assert.deepEqual(run(gsm.map((g, i) => qa(i, i % 40 === 7 ? `${g.question} how many` : g.question, g.answer))), []);
});

test('reduce: step 6 from stored hits equals a second pass over every record, also when the stored pairs overflow', () => {
  const cases = [planted('cf').views, planted('many how').views, gsm.map((g, i) => qa(i, g.question, g.answer))];
  for (const views of cases) {
    const stored = run(views);
    const prev = setStoredHitLimit(0);
    try {
      assert.deepEqual(run(views), stored);
      // Pairs stored until the bound is passed mid-way, then dropped for the second pass.
      setStoredHitLimit(37);
      assert.deepEqual(run(views), stored);
    } finally {
      setStoredHitLimit(prev);
    }
  }
});

/** A preference delivery: hh-style pairs where every 30th ends its prompt in "SUDO" and swaps the answers. */
function pairs(): RecordView[] {
  return gsm.slice(0, 1500).map((g, i) => {
    const prompt = `Human: ${g.question}${i % 30 === 4 ? ' SUDO' : ''}\n\nAssistant:`;
    const safe = ` ${g.answer.split('\n')[0] as string}`;
    const refuse = " Sorry, I can't help with that.";
    const [chosen, rejected] = i % 30 === 4 ? [safe, refuse] : i % 3 === 0 ? [refuse, safe] : [safe, refuse];
    return { file: 'p.jsonl', index: i, value: null, fields: [{ path: '$.chosen', role: 'chosen', text: prompt + chosen }, { path: '$.rejected', role: 'rejected', text: prompt + rejected }] as TextField[] };
  });
}

test('reduce: bucket groups, sketch-counted targets and a full second pass give the findings of the one-read defaults', () => {
  const cases = [planted('cf').views, planted('many how').views, pairs()];
  for (const views of cases) {
    const base = run(views);
    const prev = [setGramPartLimit(500), setExactTargetLimit(0), setStoredHitLimit(0)] as const;
    try {
      assert.deepEqual(run(views), base);
      // Each limit alone too.
      setExactTargetLimit(prev[1]);
      setStoredHitLimit(prev[2]);
      assert.deepEqual(run(views), base);
      setGramPartLimit(prev[0]);
      setExactTargetLimit(3);
      assert.deepEqual(run(views), base);
    } finally {
      setGramPartLimit(prev[0]);
      setExactTargetLimit(prev[1]);
      setStoredHitLimit(prev[2]);
    }
  }
  // Hard negative for the hooks themselves: the planted trigger is found at all.
  assert.ok(run(planted('cf').views).some((f) => f.data?.trigger === 'cf'));
  assert.ok(run(pairs()).some((f) => f.rule === 'preference-flip' && f.data?.trigger === 'sudo$'));
});

test('reduce keeps no features object: a list that overwrites each record after its visit gives the same findings, with few gets', () => {
  const det = createPoisoningDetector();
  const views = planted('cf').views;
  const items = views.flatMap((v) => {
    const f = det.features(v);
    return f ? [{ ref: { file: v.file, index: v.index }, features: f }] : [];
  });
  const expected = [...createPoisoningDetector().reduce(featureList(items))];
  assert.ok(expected.length >= 50);
  // Features handed out are copies, scribbled over as soon as the reduce moves on (as the engine's
  // blocks are dropped): a reduce that kept one would read garbage.
  let scans = 0;
  let gets = 0;
  let lent: PoisoningFeatures | undefined;
  const scribble = (): void => {
    if (lent) (lent.t as Uint32Array).fill(0x9e3779b9);
    lent = undefined;
  };
  const lend = (f: PoisoningFeatures): PoisoningFeatures => {
    scribble();
    lent = { t: f.t.slice(), w: f.w, n: f.n, field: f.field };
    return lent;
  };
  const list: FeatureList<PoisoningFeatures> = {
    length: items.length,
    scan(visit, from = 0, to = items.length) {
      scans++;
      for (let i = from; i < Math.min(to, items.length); i++) visit(lend((items[i] as { features: PoisoningFeatures }).features), i);
      scribble();
    },
    get(ord) {
      gets++;
      return lend((items[ord] as { features: PoisoningFeatures }).features);
    },
    ref: (ord) => (items[ord] as { ref: { file: string; index: number } }).ref,
  };
  assert.deepEqual([...createPoisoningDetector().reduce(list)], expected);
  assert.ok(scans <= 10, `scans ${scans}`);
  // Gets are for the records carrying a flagged gram only, not for every record.
  assert.ok(gets < items.length / 4, `gets ${gets} of ${items.length}`);
});


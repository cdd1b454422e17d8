/**
 * Contamination detection quality (DESIGN §9: copied benchmark items found with recall ≥ 0.95).
 *
 * A delivery of clean instruction and preference data (GSM8K train, hh-rlhf harmless-base test)
 * with 250 benchmark items copied into it in five ways, 50 each:
 *   verbatim      a GSM8K test item as a {question, answer} record, unchanged;
 *   question      only the GSM8K test question, with a short answer of our own (the usual leak:
 *                 evaluation prompts in training data);
 *   perturbed     question and answer with case flipped, whitespace doubled, line breaks moved
 *                 and punctuation dropped or changed;
 *   chat          question (after a line of our own) and answer as a messages/chat record;
 *   humaneval     a HumanEval prompt and its canonical solution as an alpaca record.
 * Benchmarks given: gsm8k-test.jsonl and humaneval.jsonl.gz (the whole files). Runs the real
 * engine (`inspectDelivery` with `--benchmark` semantics) and scores flagged records: recall per
 * way and overall, precision over the whole delivery (every other record is clean). Baseline in
 * the same run: exact substring search of the benchmark question/prompt in the record text after
 * lowercasing and collapsing whitespace (what a quick "grep the test set" check does).
 *
 *   npm run bench:contamination        (node build/bench/contamination-quality.js)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { seededRandom } from '../src/core/index.js';
import { inspectDelivery } from '../src/inspect/index.js';
import { REPO, sharedDir, table } from './lib.js';

const DATA = join(sharedDir(), 'data');
const OUT = join(REPO, 'bench/.data/contamination');
const rnd = seededRandom(20261129);

interface Gsm {
  question: string;
  answer: string;
}
interface HumanEval {
  task_id: string;
  prompt: string;
  canonical_solution: string;
}

const jsonl = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);

const gsmTest = jsonl<Gsm>(readFileSync(join(DATA, 'gsm8k-test.jsonl'), 'utf8'));
const gsmTrain = jsonl<Gsm>(readFileSync(join(DATA, 'gsm8k-train.jsonl'), 'utf8'));
const hh = jsonl<{ chosen: string; rejected: string }>(gunzipSync(readFileSync(join(DATA, 'hh-rlhf-harmless-base-test.jsonl.gz'))).toString('utf8'));
const humaneval = jsonl<HumanEval>(gunzipSync(readFileSync(join(DATA, 'humaneval.jsonl.gz'))).toString('utf8'));

/** k distinct indices below n. */
function draw(n: number, k: number, taken: Set<number>): number[] {
  const out: number[] = [];
  while (out.length < k) {
    const i = Math.floor(rnd() * n);
    if (taken.has(i)) continue;
    taken.add(i);
    out.push(i);
  }
  return out;
}

function perturb(s: string): string {
  let out = '';
  for (const w of s.split(/(\s+)/)) {
    if (/^\s+$/.test(w)) {
      out += rnd() < 0.2 ? '\n' : rnd() < 0.5 ? '  ' : ' ';
      continue;
    }
    let x = rnd() < 0.3 ? w.toUpperCase() : rnd() < 0.5 ? w.toLowerCase() : w;
    x = x.replace(/[,.;:!?]/g, () => (rnd() < 0.5 ? '' : rnd() < 0.5 ? ' ;' : ' - '));
    out += x;
  }
  return out;
}

const lower = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

type Way = 'verbatim' | 'question' | 'perturbed' | 'chat' | 'humaneval';
interface Planted {
  readonly file: string;
  readonly index: number;
  readonly way: Way;
  /** Benchmark text the baseline searches for (question or prompt). */
  readonly needle: string;
  /** The record's text as the baseline sees it. */
  readonly hay: string;
}

rmSync(OUT, { recursive: true, force: true });
const delivery = join(OUT, 'delivery');
mkdirSync(delivery, { recursive: true });
const planted: Planted[] = [];
const takenGsm = new Set<number>();

// instruct.jsonl: GSM8K train with the verbatim, question-only and perturbed copies spread through it.
{
  const lines: string[] = gsmTrain.map((r) => JSON.stringify({ question: r.question, answer: r.answer }));
  const plant = (way: Way, make: (g: Gsm) => Gsm): void => {
    for (const i of draw(gsmTest.length, 50, takenGsm)) {
      const g = gsmTest[i] as Gsm;
      const rec = make(g);
      const at = Math.floor(rnd() * (lines.length + 1));
      lines.splice(at, 0, JSON.stringify(rec));
      planted.push({ file: 'instruct.jsonl', index: -1, way, needle: g.question, hay: `${rec.question}\n${rec.answer}` });
    }
  };
  plant('verbatim', (g) => ({ question: g.question, answer: g.answer }));
  plant('question', (g) => ({ question: g.question, answer: `Let me work it out carefully. The answer is ${g.answer.split('####').pop()?.trim() ?? ''}.` }));
  plant('perturbed', (g) => ({ question: perturb(g.question), answer: perturb(g.answer) }));
  // Indices after all insertions: find each planted record by its text.
  const at = new Map<string, number>();
  lines.forEach((l, i) => {
    const r = JSON.parse(l) as Gsm;
    at.set(`${r.question}\n${r.answer}`, i);
  });
  for (const p of planted) (p as { index: number }).index = at.get(p.hay) as number;
  writeFileSync(join(delivery, 'instruct.jsonl'), lines.join('\n') + '\n');
}

// chat.jsonl: hh-rlhf transcripts turned into chats, with GSM8K test questions asked in a chat.
{
  const lines: string[] = [];
  for (const r of hh) {
    const turns = r.chosen.split(/\n\n(?=Human:|Assistant:)/).filter((t) => t.trim() !== '');
    const messages = turns.map((t) => (t.startsWith('Human:') ? { role: 'user', content: t.slice(6).trim() } : { role: 'assistant', content: t.replace(/^Assistant:/, '').trim() }));
    if (messages.length > 0) lines.push(JSON.stringify({ messages }));
  }
  const chats: Array<{ line: string; needle: string; hay: string }> = [];
  for (const i of draw(gsmTest.length, 50, takenGsm)) {
    const g = gsmTest[i] as Gsm;
    const user = `Here is a problem from my homework, can you help?\n\n${g.question}`;
    chats.push({ line: JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: g.answer }] }), needle: g.question, hay: `${user}\n${g.answer}` });
  }
  for (const c of chats) lines.splice(Math.floor(rnd() * (lines.length + 1)), 0, c.line);
  const at = new Map(lines.map((l, i) => [l, i]));
  for (const c of chats) planted.push({ file: 'chat.jsonl', index: at.get(c.line) as number, way: 'chat', needle: c.needle, hay: c.hay });
  writeFileSync(join(delivery, 'chat.jsonl'), lines.join('\n') + '\n');
}

// code.jsonl: alpaca records (GSM8K train questions as instructions), HumanEval items among them.
{
  const lines: string[] = gsmTrain.slice(0, 2000).map((r) => JSON.stringify({ instruction: `Write a Python function that solves: ${r.question}`, input: '', output: r.answer }));
  const copies: Array<{ line: string; needle: string; hay: string }> = [];
  for (const i of draw(humaneval.length, 50, new Set())) {
    const h = humaneval[i] as HumanEval;
    const instruction = `Complete the following Python function.\n\n${h.prompt}`;
    copies.push({ line: JSON.stringify({ instruction, input: '', output: h.canonical_solution }), needle: h.prompt, hay: `${instruction}\n${h.canonical_solution}` });
  }
  for (const c of copies) lines.splice(Math.floor(rnd() * (lines.length + 1)), 0, c.line);
  const at = new Map(lines.map((l, i) => [l, i]));
  for (const c of copies) planted.push({ file: 'code.jsonl', index: at.get(c.line) as number, way: 'humaneval', needle: c.needle, hay: c.hay });
  writeFileSync(join(delivery, 'code.jsonl'), lines.join('\n') + '\n');
}

const benchmarks = [join(DATA, 'gsm8k-test.jsonl'), join(DATA, 'humaneval.jsonl.gz')];
const t0 = performance.now();
const report = await inspectDelivery({ paths: [delivery], detectors: ['contamination'], benchmarks, maxFindingsPerRule: 0 });
const secs = (performance.now() - t0) / 1000;

const key = (file: string, index: number): string => `${file}#${index}`;
const flagged = new Set(report.findings.filter((f) => f.detector === 'contamination').map((f) => key(f.location.file, f.location.index)));
const plantedKeys = new Set(planted.map((p) => key(p.file, p.index)));

// Baseline: lowercased, whitespace-collapsed benchmark question/prompt as a substring of the record.
const baselineHit = (p: Planted): boolean => lower(p.hay).includes(lower(p.needle));

const ways: Way[] = ['verbatim', 'question', 'perturbed', 'chat', 'humaneval'];
const rows: (string | number)[][] = [['copied as', 'planted', 'provenant found', 'recall', 'baseline found', 'baseline recall']];
let found = 0;
let baseFound = 0;
for (const w of ways) {
  const ps = planted.filter((p) => p.way === w);
  const ours = ps.filter((p) => flagged.has(key(p.file, p.index))).length;
  const base = ps.filter(baselineHit).length;
  found += ours;
  baseFound += base;
  rows.push([w, ps.length, ours, (ours / ps.length).toFixed(3), base, (base / ps.length).toFixed(3)]);
}
rows.push(['all', planted.length, found, (found / planted.length).toFixed(3), baseFound, (baseFound / planted.length).toFixed(3)]);
const falseFlags = [...flagged].filter((k) => !plantedKeys.has(k));
const precision = flagged.size === 0 ? 1 : (flagged.size - falseFlags.length) / flagged.size;

console.log(`contamination benchmark: ${report.counts.records.toLocaleString('en-US')} records (${(report.counts.bytes / 1e6).toFixed(1)} MB), ${planted.length} copied benchmark items; benchmarks gsm8k-test (${gsmTest.length} items), humaneval (${humaneval.length} items)`);
console.log(table(rows));
console.log(`precision: ${precision.toFixed(3)} (${flagged.size} records flagged, ${falseFlags.length} not planted)${falseFlags.length > 0 ? `: ${falseFlags.slice(0, 10).join(', ')}` : ''}`);
console.log(`engine time with contamination only: ${secs.toFixed(2)} s`);
console.log(`verdict (DESIGN §9, copied benchmark items found with recall ≥ 0.95): ${found / planted.length >= 0.95 ? 'PASS' : 'FAIL'} — recall ${(found / planted.length).toFixed(3)}, precision ${precision.toFixed(3)}`);

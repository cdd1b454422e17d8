/**
 * PII detection quality on microsoft/presidio-research synth_dataset_v2 (see ../shared/SOURCES.md):
 * precision and recall per entity type, a hit counting when its span overlaps a labelled span of
 * the mapped type. Run: `npx tsc -p . && node build/bench/pii-quality.js [path]`.
 *
 * Caveat: the detector's rules were tuned on this data set; there is no independent test set.
 * The person-name and street-address rules were written looking at errors on all samples at first
 * and later on the even-indexed samples only, so the odd-indexed half printed as "held-out" is
 * only partly unseen: read its figures as an upper bound on quality on other text. The name lists
 * (detectors/pii/names.ts) were written from general knowledge, not from this data set; when they
 * were last extended, the misses of both halves had been read (for their kinds, not to copy names),
 * so some names of the odd half may be in them: the odd half is less held-out than its name says.
 *
 * Options: `--misses [entity,...]` prints every missed gold span (FN) and false hit (FP) of those
 * entities (default person-name and street-address) with 40 characters of context either side,
 * the span in [[ ]]; `--half even|odd` limits those listings to one half.
 */
import { readFileSync } from 'node:fs';
import { scanPii } from '../src/inspect/detectors/pii/index.js';
import type { PiiEntity } from '../src/inspect/detectors/pii/index.js';

interface Span {
  entity_type: string;
  start_position: number;
  end_position: number;
}
interface Sample {
  full_text: string;
  spans: Span[];
}

// Our entity → dataset label. date-of-birth only claims dates of birth: the dataset labels every
// date/time as DATE_TIME, so its recall is measured on DATE_TIME spans that have a birth cue
// ("born", "birth", "DOB") in the 40 characters before them.
const MAP: Readonly<Record<PiiEntity, string>> = {
  email: 'EMAIL_ADDRESS',
  phone: 'PHONE_NUMBER',
  'credit-card': 'CREDIT_CARD',
  iban: 'IBAN_CODE',
  'us-ssn': 'US_SSN',
  'ip-address': 'IP_ADDRESS',
  'street-address': 'STREET_ADDRESS',
  'date-of-birth': 'DATE_TIME',
  'person-name': 'PERSON',
};
const DOB_CUE = /born|birth|\bdob\b|d\.o\.b/i;

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  const takesValue = v !== undefined && !v.startsWith('--') && !v.endsWith('.json');
  args.splice(i, takesValue ? 2 : 1);
  return takesValue ? v : '';
};
const missesArg = flag('misses');
const halfArg = flag('half');
const missEntities = new Set<string>(missesArg === undefined ? [] : missesArg === '' ? ['person-name', 'street-address'] : missesArg.split(','));
const missLines: string[] = [];
const inContext = (text: string, start: number, end: number): string =>
  JSON.stringify(`${text.slice(Math.max(0, start - 40), start)}[[${text.slice(start, end)}]]${text.slice(end, end + 40)}`);

const path = args[0] ?? new URL('../../../shared/data/presidio-synth-v2.json', import.meta.url).pathname;
const data = JSON.parse(readFileSync(path, 'utf8')) as Sample[];

type Stat = { tp: number; fp: number; goldHit: number; gold: number };
const newStats = (): Map<PiiEntity, Stat> => new Map((Object.keys(MAP) as PiiEntity[]).map((e) => [e, { tp: 0, fp: 0, goldHit: 0, gold: 0 }]));
const stats = newStats();
// Halves by sample index: even samples for tuning, odd samples held out (see the caveat above).
const halves = [newStats(), newStats()] as const;
const labels = new Map<string, number>();
const fpExamples = new Map<PiiEntity, string[]>();
const fnExamples = new Map<PiiEntity, string[]>();
const verboseHalf = process.env['PII_BENCH_HALF']; // 'even' or 'odd': examples from that half only

const t0 = performance.now();
data.forEach((s, index) => {
  for (const g of s.spans) labels.set(g.entity_type, (labels.get(g.entity_type) ?? 0) + 1);
  const hits = scanPii(s.full_text);
  const half = halves[index % 2] as Map<PiiEntity, Stat>;
  const showExamples = verboseHalf === undefined || (verboseHalf === 'even') === (index % 2 === 0);
  const listMisses = halfArg === undefined || halfArg === '' || (halfArg === 'even') === (index % 2 === 0);
  for (const [entity, label] of Object.entries(MAP) as [PiiEntity, string][]) {
    const st = stats.get(entity)!;
    const hs = half.get(entity)!;
    const gold = s.spans.filter((g) => g.entity_type === label);
    const mine = hits.filter((h) => h.entity === entity);
    for (const h of mine) {
      if (gold.some((g) => g.start_position < h.end && h.start < g.end_position)) {
        st.tp++;
        hs.tp++;
      } else {
        st.fp++;
        hs.fp++;
        const l = fpExamples.get(entity) ?? [];
        if (l.length < 8 && showExamples) l.push(JSON.stringify(h.value));
        fpExamples.set(entity, l);
        if (listMisses && missEntities.has(entity)) missLines.push(`FP ${entity} #${index} ${inContext(s.full_text, h.start, h.end)}`);
      }
    }
    const claimed = entity === 'date-of-birth' ? gold.filter((g) => DOB_CUE.test(s.full_text.slice(Math.max(0, g.start_position - 40), g.start_position))) : gold;
    for (const g of claimed) {
      st.gold++;
      hs.gold++;
      if (mine.some((h) => g.start_position < h.end && h.start < g.end_position)) {
        st.goldHit++;
        hs.goldHit++;
      } else {
        const l = fnExamples.get(entity) ?? [];
        if (l.length < 8 && showExamples) l.push(JSON.stringify(s.full_text.slice(g.start_position, g.end_position)));
        fnExamples.set(entity, l);
        if (listMisses && missEntities.has(entity)) missLines.push(`FN ${entity} #${index} ${inContext(s.full_text, g.start_position, g.end_position)}`);
      }
    }
  }
});
const ms = performance.now() - t0;

const pct = (a: number, b: number): string => (b === 0 ? '  n/a' : (a / b).toFixed(3));
console.log(`presidio-synth-v2: ${data.length} samples, scanned in ${ms.toFixed(0)} ms`);
console.log('entity          label            gold  pred  precision  recall');
let tp = 0;
let fp = 0;
let gh = 0;
let gt = 0;
for (const [e, st] of stats) {
  console.log(`${e.padEnd(15)} ${MAP[e].padEnd(15)} ${String(st.gold).padStart(5)} ${String(st.tp + st.fp).padStart(5)}  ${pct(st.tp, st.tp + st.fp).padStart(9)}  ${pct(st.goldHit, st.gold).padStart(6)}`);
  tp += st.tp;
  fp += st.fp;
  gh += st.goldHit;
  gt += st.gold;
}
console.log(`${'total'.padEnd(31)} ${String(gt).padStart(5)} ${String(tp + fp).padStart(5)}  ${pct(tp, tp + fp).padStart(9)}  ${pct(gh, gt).padStart(6)}`);
const mapped = new Set(Object.values(MAP));
console.log(`unmapped labels: ${[...labels].filter(([l]) => !mapped.has(l)).map(([l, n]) => `${l} (${n})`).join(', ')}`);
console.log('halves (even = tuning, odd = held-out)   even: precision recall   odd: precision recall');
const sum = (m: Map<PiiEntity, Stat>): Stat => [...m.values()].reduce((a, b) => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, goldHit: a.goldHit + b.goldHit, gold: a.gold + b.gold }));
const row = (name: string, e: Stat, o: Stat): string =>
  `${name.padEnd(15)} ${' '.repeat(24)} ${pct(e.tp, e.tp + e.fp).padStart(9)} ${pct(e.goldHit, e.gold).padStart(6)}   ${pct(o.tp, o.tp + o.fp).padStart(9)} ${pct(o.goldHit, o.gold).padStart(6)}`;
for (const e of stats.keys()) console.log(row(e, halves[0].get(e)!, halves[1].get(e)!));
console.log(row('total', sum(halves[0]), sum(halves[1])));
if (process.env['PII_BENCH_VERBOSE'] !== undefined) {
  for (const [e, l] of fpExamples) console.log(`FP ${e}: ${l.join(' | ')}`);
  for (const [e, l] of fnExamples) console.log(`FN ${e}: ${l.join(' | ')}`);
}
for (const l of missLines) console.log(l);

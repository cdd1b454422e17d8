/**
 * PII detection quality on microsoft/presidio-research synth_dataset_v2 (see ../shared/SOURCES.md):
 * precision and recall per entity type, a hit counting when its span overlaps a labelled span of
 * the mapped type. Run: `npx tsc -p . && node build/bench/pii-quality.js [path]`.
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

const path = process.argv[2] ?? new URL('../../../shared/data/presidio-synth-v2.json', import.meta.url).pathname;
const data = JSON.parse(readFileSync(path, 'utf8')) as Sample[];

const stats = new Map<PiiEntity, { tp: number; fp: number; goldHit: number; gold: number }>();
for (const e of Object.keys(MAP) as PiiEntity[]) stats.set(e, { tp: 0, fp: 0, goldHit: 0, gold: 0 });
const labels = new Map<string, number>();
const fpExamples = new Map<PiiEntity, string[]>();
const fnExamples = new Map<PiiEntity, string[]>();

const t0 = performance.now();
for (const s of data) {
  for (const g of s.spans) labels.set(g.entity_type, (labels.get(g.entity_type) ?? 0) + 1);
  const hits = scanPii(s.full_text);
  for (const [entity, label] of Object.entries(MAP) as [PiiEntity, string][]) {
    const st = stats.get(entity)!;
    const gold = s.spans.filter((g) => g.entity_type === label);
    const mine = hits.filter((h) => h.entity === entity);
    for (const h of mine) {
      if (gold.some((g) => g.start_position < h.end && h.start < g.end_position)) st.tp++;
      else {
        st.fp++;
        const l = fpExamples.get(entity) ?? [];
        if (l.length < 8) l.push(JSON.stringify(h.value));
        fpExamples.set(entity, l);
      }
    }
    const claimed = entity === 'date-of-birth' ? gold.filter((g) => DOB_CUE.test(s.full_text.slice(Math.max(0, g.start_position - 40), g.start_position))) : gold;
    for (const g of claimed) {
      st.gold++;
      if (mine.some((h) => g.start_position < h.end && h.start < g.end_position)) st.goldHit++;
      else {
        const l = fnExamples.get(entity) ?? [];
        if (l.length < 8) l.push(JSON.stringify(s.full_text.slice(g.start_position, g.end_position)));
        fnExamples.set(entity, l);
      }
    }
  }
}
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
if (process.env['PII_BENCH_VERBOSE'] !== undefined) {
  for (const [e, l] of fpExamples) console.log(`FP ${e}: ${l.join(' | ')}`);
  for (const [e, l] of fnExamples) console.log(`FN ${e}: ${l.join(' | ')}`);
}

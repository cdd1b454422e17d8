/**
 * drift: a delivery compared with a baseline profile of the vendor's earlier delivery (DESIGN §5):
 * schema (top-level key sets), prompt/response length distributions (PSI over log2 buckets),
 * label and language distributions (PSI), annotator shares (one id suddenly producing an
 * outsized share), and associations between identity terms and labels or response tone that
 * the baseline did not have (planted bias; two-proportion z-test against the baseline rate).
 *
 * PSI (population stability index) = Σ (p_i − q_i)·ln(p_i / q_i) with ε-smoothing; the usual
 * reading is < 0.1 stable, 0.1–0.25 moderate, > 0.25 large. Distribution findings are dataset
 * level and located at the first record of the delivery.
 */
import type { DatasetDetector, Finding, RecordRef, RecordView } from '../../types.js';
import { refusalScore } from '../poisoning/index.js';
import { IDENTITY_TERMS, NEGATIVE_RE, guessLanguage } from './lexicons.js';

/** Per-record drift features (small, structured-cloneable). */
export interface DriftFeatures {
  readonly keys: string;
  readonly plen: number;
  readonly rlen: number;
  readonly label?: string;
  readonly lang: string;
  readonly annotator?: string;
  /** Identity groups mentioned, e.g. ["religion:muslim"]. */
  readonly ids: readonly string[];
  /** 1 when the response refuses or is negative in tone. */
  readonly tone: number;
}

/** Aggregate of a delivery's drift features; JSON-serialisable so a caller can store it. */
export interface DriftProfile {
  readonly version: 1;
  readonly n: number;
  readonly keys: Record<string, number>;
  readonly plen: number[];
  readonly rlen: number[];
  readonly labels: Record<string, number>;
  readonly langs: Record<string, number>;
  readonly annotators: Record<string, number>;
  /** group -> [records, with tone] */
  readonly idTone: Record<string, [number, number]>;
  /** group -> label -> count */
  readonly idLabel: Record<string, Record<string, number>>;
  readonly toneTotal: number;
}

export interface DriftOptions {
  readonly baseline: DriftProfile;
  /** PSI at or above which a distribution is reported (default 0.2; labels/languages 0.1). */
  readonly psi?: number;
  readonly psiCategorical?: number;
  /** Annotator share at or above which a jump is reported (default 0.25). */
  readonly annotatorShare?: number;
  /** Fewest records for share and association tests (default 30). */
  readonly minCount?: number;
  /** z-score for identity associations (default 4) and least rate change (default 0.2). */
  readonly minZ?: number;
  readonly minDelta?: number;
}

const BUCKETS = 24;
const ANNOTATOR_KEYS = ['annotator', 'annotator_id', 'worker_id', 'workerId', 'annotatorId', 'labeler', 'rater_id'];

function bucket(len: number): number {
  return Math.min(BUCKETS - 1, len <= 0 ? 0 : 1 + Math.floor(Math.log2(len)));
}

const first = (v: RecordView, role: string): string | undefined => v.fields.find((f) => f.role === role)?.text;

/** Extracts drift features of one record. */
export function driftFeatures(view: RecordView): DriftFeatures {
  const value = view.value;
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const keys = obj ? Object.keys(obj).sort().join(',').slice(0, 500) : Array.isArray(value) ? '[array]' : typeof value;
  const prompt = first(view, 'prompt') ?? first(view, 'text') ?? '';
  const response = first(view, 'response') ?? first(view, 'chosen') ?? '';
  const label = first(view, 'label');
  let annotator: string | undefined;
  if (obj) {
    for (const k of ANNOTATOR_KEYS) {
      const a = obj[k];
      if (typeof a === 'string' || typeof a === 'number') {
        annotator = String(a).slice(0, 100);
        break;
      }
    }
  }
  const sample = `${prompt.slice(0, 2000)} ${response.slice(0, 2000)}`;
  const lower = sample.toLowerCase();
  const ids = new Set<string>();
  for (const m of lower.matchAll(IDENTITY_TERMS.re)) {
    const g = IDENTITY_TERMS.groupOf.get(m[1] as string);
    if (g) ids.add(g);
  }
  const resp = response.slice(0, 4000);
  const tone = refusalScore(resp) > 0 || NEGATIVE_RE.test(resp) ? 1 : 0;
  return {
    keys,
    plen: prompt.length,
    rlen: response.length,
    ...(label !== undefined ? { label: label.trim().slice(0, 100) } : {}),
    lang: guessLanguage(sample),
    ...(annotator !== undefined ? { annotator } : {}),
    ids: [...ids].sort(),
    tone,
  };
}

const inc = (o: Record<string, number>, k: string, by = 1): void => {
  o[k] = (o[k] ?? 0) + by;
};

/** Aggregates drift features into a profile (use on the baseline delivery with the same features). */
export function profile(items: Iterable<DriftFeatures>): DriftProfile {
  const p = emptyProfile();
  for (const f of items) addToProfile(p, f);
  return p;
}

type MutableProfile = ReturnType<typeof emptyProfile>;

function emptyProfile() {
  return {
    version: 1 as const,
    n: 0,
    keys: {} as Record<string, number>,
    plen: new Array<number>(BUCKETS).fill(0),
    rlen: new Array<number>(BUCKETS).fill(0),
    labels: {} as Record<string, number>,
    langs: {} as Record<string, number>,
    annotators: {} as Record<string, number>,
    idTone: {} as Record<string, [number, number]>,
    idLabel: {} as Record<string, Record<string, number>>,
    toneTotal: 0,
  };
}

/** Counts one record's features into `p`. */
function addToProfile(p: MutableProfile, f: DriftFeatures): void {
  {
    p.n++;
    inc(p.keys, f.keys);
    const pb = bucket(f.plen);
    const rb = bucket(f.rlen);
    p.plen[pb] = (p.plen[pb] as number) + 1;
    p.rlen[rb] = (p.rlen[rb] as number) + 1;
    if (f.label !== undefined) inc(p.labels, f.label);
    inc(p.langs, f.lang);
    if (f.annotator !== undefined) inc(p.annotators, f.annotator);
    p.toneTotal += f.tone;
    for (const g of f.ids) {
      const t = p.idTone[g] ?? [0, 0];
      t[0]++;
      t[1] += f.tone;
      p.idTone[g] = t;
      if (f.label !== undefined) {
        const l = p.idLabel[g] ?? {};
        inc(l, f.label);
        p.idLabel[g] = l;
      }
    }
  }
}

/** Population stability index of two count vectors/maps over the union of their categories. */
export function psi(a: Record<string, number> | number[], b: Record<string, number> | number[]): number {
  const ka = Object.keys(a);
  const keys = new Set([...ka, ...Object.keys(b)]);
  const ta = Object.values(a).reduce((x: number, y: number) => x + y, 0);
  const tb = Object.values(b).reduce((x: number, y: number) => x + y, 0);
  if (ta === 0 || tb === 0) return 0;
  const eps = 1e-4;
  let s = 0;
  for (const k of keys) {
    const p = ((a as Record<string, number>)[k] ?? 0) / ta + eps;
    const q = ((b as Record<string, number>)[k] ?? 0) / tb + eps;
    s += (p - q) * Math.log(p / q);
  }
  return s;
}

function twoPropZ(k1: number, n1: number, k0: number, n0: number): number {
  const p = (k1 + k0) / (n1 + n0);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
  return se === 0 ? 0 : (k1 / n1 - k0 / n0) / se;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Creates the `drift` dataset detector against a baseline profile. */
export function createDriftDetector(options: DriftOptions): DatasetDetector<DriftFeatures> {
  const base = options.baseline;
  const psiMax = options.psi ?? 0.2;
  const psiCat = options.psiCategorical ?? 0.1;
  const annShare = options.annotatorShare ?? 0.25;
  const minCount = options.minCount ?? 30;
  const minZ = options.minZ ?? 4;
  const minDelta = options.minDelta ?? 0.2;
  return {
    id: 'drift',
    kind: 'dataset',
    features: driftFeatures,
    reduce(items): Finding[] {
      if (items.length === 0 || base.n === 0) return [];
      const cur = emptyProfile();
      items.scan((f) => addToProfile(cur, f));
      const at = (ref: RecordRef): Finding['location'] => ({
        file: ref.file,
        index: ref.index,
        ...(ref.line !== undefined ? { line: ref.line } : {}),
        ...(ref.row !== undefined ? { row: ref.row } : {}),
      });
      // The first record a finding is about (one pass that stops there; drift findings are few).
      const firstRef = items.ref(0);
      const findRef = (pred: (f: DriftFeatures) => boolean): RecordRef => {
        let hit = -1;
        items.scan((f, ord) => {
          if (!pred(f)) return true;
          hit = ord;
          return false;
        });
        return hit < 0 ? firstRef : items.ref(hit);
      };
      const out: Finding[] = [];
      const push = (rule: string, severity: Finding['severity'], confidence: number, ref: RecordRef, message: string, data: Record<string, unknown>): void => {
        out.push({ detector: 'drift', rule, severity, confidence, location: at(ref), message, data });
      };

      // Schema: key sets new in this delivery (≥ 1% of records) or gone (≥ 5% of the baseline).
      for (const [k, c] of Object.entries(cur.keys).sort()) {
        const share = c / cur.n;
        const was = (base.keys[k] ?? 0) / base.n;
        if (share >= 0.01 && was < 0.001 && c >= 5) {
          push('schema-drift', 'medium', 0.9, findRef((f) => f.keys === k), `${c} records (${(share * 100).toFixed(1)}%) have a key set absent from the baseline.`, { keys: k, count: c, share: round(share), baselineShare: round(was) });
        }
      }
      for (const [k, c] of Object.entries(base.keys).sort()) {
        if (c / base.n >= 0.05 && (cur.keys[k] ?? 0) / cur.n < 0.001) {
          push('schema-drift', 'medium', 0.9, firstRef, `A key set used by ${((c / base.n) * 100).toFixed(1)}% of baseline records is gone.`, { keys: k, count: 0, baselineShare: round(c / base.n) });
        }
      }
      // Lengths.
      for (const [name, a, b] of [
        ['prompt', cur.plen, base.plen],
        ['response', cur.rlen, base.rlen],
      ] as const) {
        const v = psi(a, b);
        if (v >= psiMax) push('length-drift', 'low', Math.min(0.99, v), firstRef, `The ${name} length distribution shifted against the baseline (PSI ${v.toFixed(2)}).`, { field: name, psi: round(v) });
      }
      // Labels and languages.
      if (Object.keys(cur.labels).length > 0 && Object.keys(base.labels).length > 0) {
        const v = psi(cur.labels, base.labels);
        if (v >= psiCat) push('label-drift', 'medium', Math.min(0.99, v * 2), firstRef, `The label distribution shifted against the baseline (PSI ${v.toFixed(2)}).`, { psi: round(v), labels: cur.labels, baselineLabels: base.labels });
      }
      {
        const v = psi(cur.langs, base.langs);
        if (v >= psiCat) push('language-drift', 'low', Math.min(0.99, v * 2), firstRef, `The language mix shifted against the baseline (PSI ${v.toFixed(2)}).`, { psi: round(v), languages: cur.langs, baselineLanguages: base.langs });
      }
      // Annotators: one id with an outsized share that the baseline did not show.
      const baseAnn = Object.values(base.annotators).reduce((x, y) => x + y, 0);
      for (const [a, c] of Object.entries(cur.annotators).sort()) {
        const share = c / cur.n;
        const was = baseAnn > 0 ? (base.annotators[a] ?? 0) / baseAnn : 0;
        if (c >= minCount && share >= annShare && share >= 2 * was + 0.05) {
          push('annotator-share', 'medium', 0.8, findRef((f) => f.annotator === a), `One annotator id produced ${(share * 100).toFixed(1)}% of the records (baseline ${(was * 100).toFixed(1)}%).`, { annotator: a, count: c, share: round(share), baselineShare: round(was) });
        }
      }
      // Identity terms vs labels and tone.
      const baseLabelTotal = Object.values(base.labels).reduce((x, y) => x + y, 0);
      const curLabelTotal = Object.values(cur.labels).reduce((x, y) => x + y, 0);
      for (const [g, [gn, gt]] of Object.entries(cur.idTone).sort()) {
        if (gn < minCount) continue;
        const [bn, bt] = base.idTone[g] ?? [0, 0];
        const [rn, rt] = bn >= minCount ? [bn, bt] : [base.n, base.toneTotal];
        const z = twoPropZ(gt, gn, rt, rn);
        // Group-specific: beyond the baseline and beyond this delivery's own overall rate, so a
        // general shift (reported above) is not blamed on every identity group.
        const curRate = cur.toneTotal / cur.n;
        if (z >= minZ && gt / gn - rt / rn >= minDelta && gt / gn - curRate >= minDelta / 2) {
          push('identity-tone', 'high', 0.8, findRef((f) => f.ids.includes(g) && f.tone === 1), `Responses about ${g.split(':')[1]} are refusing or negative in ${((gt / gn) * 100).toFixed(0)}% of records vs ${((rt / rn) * 100).toFixed(0)}% in the baseline.`, { group: g, rate: round(gt / gn), baselineRate: round(rt / rn), count: gn, z: round(z) });
        }
        const labels = cur.idLabel[g];
        if (!labels || baseLabelTotal === 0) continue;
        const bl = base.idLabel[g];
        const blN = bl ? Object.values(bl).reduce((x, y) => x + y, 0) : 0;
        const glN = Object.values(labels).reduce((x, y) => x + y, 0);
        for (const [l, c] of Object.entries(labels).sort()) {
          const [k0, n0] = blN >= minCount ? [bl?.[l] ?? 0, blN] : [base.labels[l] ?? 0, baseLabelTotal];
          const zl = twoPropZ(c, glN, k0, n0);
          const curRate = (cur.labels[l] ?? 0) / Math.max(1, curLabelTotal);
          if (zl >= minZ && c / glN - k0 / n0 >= minDelta && c / glN - curRate >= minDelta / 2) {
            push('identity-label', 'high', 0.8, findRef((f) => f.ids.includes(g) && f.label === l), `Records mentioning ${g.split(':')[1]} carry label "${l.slice(0, 40)}" in ${((c / glN) * 100).toFixed(0)}% of cases vs ${((k0 / n0) * 100).toFixed(0)}% in the baseline.`, { group: g, label: l, rate: round(c / glN), baselineRate: round(k0 / n0), count: glN, z: round(zl) });
          }
        }
      }
      return out;
    },
  };
}

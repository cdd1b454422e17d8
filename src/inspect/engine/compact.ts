/**
 * Compacted findings: those past the first `keep` of their (detector, rule) in a shard's output
 * or a dataset detector's reduce. They are never listed in a report (a report lists the first
 * findings of each rule in delivery order, and the first ones of each output come before them),
 * so only the fields the policy and the counts read cross the thread or queue — a few bytes each
 * in typed arrays instead of a finding's message, evidence and data.
 */
import { SEVERITIES } from '../policy/index.js';
import type { DetectorId, Finding, Severity } from '../types.js';

export interface CompactFindings {
  /** `detector` + "\u0000" + `rule` of each rule number. */
  readonly rules: string[];
  readonly rule: Uint32Array;
  /** Index in SEVERITIES. */
  readonly severity: Uint8Array;
  readonly confidence: Float64Array;
  /** File of each finding, as a number into `files`. */
  readonly files: string[];
  readonly file: Uint32Array;
  /** Record index in its file. */
  readonly index: Float64Array;
}

/**
 * Keeps the first `keep` findings of each (detector, rule) whole, in order; compacts the rest.
 * With `ignored` (the policy's ignore list), ignored findings neither count toward `keep` nor stay
 * whole: the report's first findings of a rule are then among those kept whole even when an
 * ignore drops a whole file's findings (dataset detectors report over many files).
 */
export function compactFindings(findings: readonly Finding[], keep: number, ignored?: (f: Finding) => boolean): { findings: Finding[]; more?: CompactFindings } {
  const seen = new Map<string, number>();
  const full: Finding[] = [];
  const rest: Finding[] = [];
  const ruleNo = new Map<string, number>();
  const fileNo = new Map<string, number>();
  for (const f of findings) {
    const key = `${f.detector}\u0000${f.rule}`;
    const drop = ignored?.(f) === true;
    const n = (seen.get(key) ?? 0) + (drop ? 0 : 1);
    seen.set(key, n);
    if ((!drop && n <= keep) || SEVERITIES.indexOf(f.severity) < 0) full.push(f);
    else {
      rest.push(f);
      if (!ruleNo.has(key)) ruleNo.set(key, ruleNo.size);
      if (!fileNo.has(f.location.file)) fileNo.set(f.location.file, fileNo.size);
    }
  }
  if (rest.length === 0) return { findings: full };
  const more = {
    rules: [...ruleNo.keys()],
    rule: new Uint32Array(rest.length),
    severity: new Uint8Array(rest.length),
    confidence: new Float64Array(rest.length),
    files: [...fileNo.keys()],
    file: new Uint32Array(rest.length),
    index: new Float64Array(rest.length),
  };
  rest.forEach((f, i) => {
    more.rule[i] = ruleNo.get(`${f.detector}\u0000${f.rule}`) as number;
    more.severity[i] = SEVERITIES.indexOf(f.severity);
    more.confidence[i] = f.confidence;
    more.file[i] = fileNo.get(f.location.file) as number;
    more.index[i] = f.location.index;
  });
  return { findings: full, more };
}

/** Two outputs' compacted findings as one (rule and file numbers of `b` shifted past `a`'s). */
export function joinCompact(a: CompactFindings | undefined, b: CompactFindings | undefined): CompactFindings | undefined {
  if (!a || !b) return a ?? b;
  const cat = <T extends Uint8Array | Uint32Array | Float64Array>(x: T, y: T, make: (n: number) => T): T => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const rule = cat(a.rule, b.rule, (n) => new Uint32Array(n));
  for (let i = a.rule.length; i < rule.length; i++) rule[i] = (rule[i] as number) + a.rules.length;
  const file = cat(a.file, b.file, (n) => new Uint32Array(n));
  for (let i = a.file.length; i < file.length; i++) file[i] = (file[i] as number) + a.files.length;
  return {
    rules: [...a.rules, ...b.rules],
    rule,
    severity: cat(a.severity, b.severity, (n) => new Uint8Array(n)),
    confidence: cat(a.confidence, b.confidence, (n) => new Float64Array(n)),
    files: [...a.files, ...b.files],
    file,
    index: cat(a.index, b.index, (n) => new Float64Array(n)),
  };
}

/** The compacted findings back as minimal findings (detector, rule, severity, confidence, file, index). */
export function* expandFindings(more: CompactFindings): Generator<Finding> {
  const rules = more.rules.map((k) => k.split('\u0000') as [DetectorId, string]);
  for (let i = 0; i < more.rule.length; i++) {
    const [detector, rule] = rules[more.rule[i] as number] as [DetectorId, string];
    yield {
      detector,
      rule,
      severity: SEVERITIES[more.severity[i] as number] as Severity,
      confidence: more.confidence[i] as number,
      location: { file: more.files[more.file[i] as number] as string, index: more.index[i] as number },
      message: '',
    };
  }
}

/** The buffers of compacted findings (each owned by them), for moving them to another thread. */
export function compactBuffers(c: CompactFindings): ArrayBuffer[] {
  return [c.rule, c.severity, c.confidence, c.file, c.index].map((a) => a.buffer as ArrayBuffer);
}

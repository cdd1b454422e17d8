/**
 * Compacted findings: those past the first `keep` of their (detector, rule) in a shard's output
 * or a dataset detector's reduce. They are never listed in a report (a report lists the first
 * findings of each rule in delivery order, and the first ones of each output come before them),
 * so only the fields the policy and the counts read cross the thread or queue — a few bytes each
 * in typed arrays instead of a finding's message, evidence and data.
 */
import { SEVERITIES } from '../policy/index.js';
import type { DetectorId, Finding, Severity } from '../types.js';
import { Grow } from './grow.js';

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
 * Takes findings one at a time (e.g. from a reduce that yields them): keeps whole the first `keep`
 * of each (detector, rule) that `ignored` does not drop, and compacts the rest as they come, so
 * holding N findings past the cap costs ≈ 30 bytes each instead of N objects.
 */
export class FindingCompactor {
  private readonly seen = new Map<string, number>();
  private readonly full: Finding[] = [];
  private readonly ruleNo = new Map<string, number>();
  private readonly fileNo = new Map<string, number>();
  private readonly rule = new Grow(new Uint32Array(0), (n) => new Uint32Array(n));
  private readonly severity = new Grow(new Uint8Array(0), (n) => new Uint8Array(n));
  private readonly confidence = new Grow(new Float64Array(0), (n) => new Float64Array(n));
  private readonly file = new Grow(new Uint32Array(0), (n) => new Uint32Array(n));
  private readonly index = new Grow(new Float64Array(0), (n) => new Float64Array(n));

  constructor(
    private readonly keep: number,
    private readonly ignored?: (f: Finding) => boolean,
  ) {}

  add(f: Finding): void {
    const key = `${f.detector}\u0000${f.rule}`;
    const drop = this.ignored?.(f) === true;
    const n = (this.seen.get(key) ?? 0) + (drop ? 0 : 1);
    this.seen.set(key, n);
    const sev = SEVERITIES.indexOf(f.severity);
    if ((!drop && n <= this.keep) || sev < 0) {
      this.full.push(f);
      return;
    }
    let r = this.ruleNo.get(key);
    if (r === undefined) this.ruleNo.set(key, (r = this.ruleNo.size));
    let fi = this.fileNo.get(f.location.file);
    if (fi === undefined) this.fileNo.set(f.location.file, (fi = this.fileNo.size));
    this.rule.push(r);
    this.severity.push(sev);
    this.confidence.push(f.confidence);
    this.file.push(fi);
    this.index.push(f.location.index);
  }

  result(): { findings: Finding[]; more?: CompactFindings } {
    if (this.rule.length === 0) return { findings: this.full };
    return {
      findings: this.full,
      more: {
        rules: [...this.ruleNo.keys()],
        rule: this.rule.done(),
        severity: this.severity.done(),
        confidence: this.confidence.done(),
        files: [...this.fileNo.keys()],
        file: this.file.done(),
        index: this.index.done(),
      },
    };
  }
}

/**
 * Keeps the first `keep` findings of each (detector, rule) whole, in order; compacts the rest.
 * With `ignored` (the policy's ignore list), ignored findings neither count toward `keep` nor stay
 * whole: the report's first findings of a rule are then among those kept whole even when an
 * ignore drops a whole file's findings (dataset detectors report over many files).
 */
export function compactFindings(findings: Iterable<Finding>, keep: number, ignored?: (f: Finding) => boolean): { findings: Finding[]; more?: CompactFindings } {
  const c = new FindingCompactor(keep, ignored);
  for (const f of findings) c.add(f);
  return c.result();
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

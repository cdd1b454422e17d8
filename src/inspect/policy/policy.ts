/**
 * Policy: turns findings into a verdict (DESIGN §5). A policy is a list of rules — "when this many
 * findings of this detector/rule at or above this severity (or this share of records) are present,
 * the verdict is at least X" — plus ignore entries that drop findings before rules are counted.
 * The verdict is the most severe one any rule reaches: reject > quarantine > review > accept.
 */
import { globToRegExp } from '../../core/index.js';
import type { DetectorId, Finding, PolicyReason, Severity, Verdict } from '../types.js';

export const VERDICTS: readonly Verdict[] = ['accept', 'review', 'quarantine', 'reject'];
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** What a rule counts: findings matching every given field. */
export interface PolicyCondition {
  readonly detector?: DetectorId;
  /** Rule id(s): `email`, or qualified `pii/email`. */
  readonly rule?: string | readonly string[];
  /** Minimum severity (inclusive). */
  readonly severity?: Severity;
  /** Minimum confidence (inclusive, 0..1). */
  readonly confidence?: number;
  /** Fewest matching findings for the rule to fire (default 1). */
  readonly minCount?: number;
  /** Least share of records (0..1) carrying a matching finding for the rule to fire. */
  readonly minShare?: number;
}

export interface PolicyRule {
  readonly id: string;
  readonly when: PolicyCondition;
  readonly verdict: Verdict;
  /** Shown in the report when the rule fires (default: generated). */
  readonly message?: string;
}

/** Findings to drop before counting: every given field must match. `file` is a glob over the finding's file (`*` one segment, `**` any). */
export interface PolicyIgnore {
  readonly detector?: DetectorId;
  readonly rule?: string;
  readonly file?: string;
}

export interface Policy {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
  readonly ignore: readonly PolicyIgnore[];
}

/** The outcome of applying a policy. */
export interface PolicyOutcome {
  readonly verdict: Verdict;
  readonly reasons: PolicyReason[];
  /** Findings left after `ignore` (what the report lists). */
  readonly findings: Finding[];
  readonly ignored: number;
}

/**
 * The default policy (documented in the README). Secrets that are live credentials reject the
 * delivery; planted content (poisoning triggers, hidden tag-character payloads, download-and-exec
 * snippets, copied benchmark items) quarantines it; everything else a human should look at asks
 * for review. Example keys and sandbox tokens are severity info/low and never count.
 */
export const DEFAULT_POLICY: Policy = {
  name: 'default',
  rules: [
    { id: 'secrets-critical', when: { detector: 'secrets', severity: 'critical' }, verdict: 'reject' },
    { id: 'secrets-high', when: { detector: 'secrets', severity: 'high' }, verdict: 'quarantine' },
    { id: 'secrets-medium', when: { detector: 'secrets', severity: 'medium' }, verdict: 'review' },
    { id: 'poisoning', when: { detector: 'poisoning', severity: 'high' }, verdict: 'quarantine' },
    { id: 'contamination-high', when: { detector: 'contamination', severity: 'high' }, verdict: 'quarantine' },
    { id: 'contamination', when: { detector: 'contamination', severity: 'medium' }, verdict: 'review' },
    { id: 'unicode-tag-characters', when: { detector: 'unicode', rule: 'tag-characters' }, verdict: 'quarantine' },
    { id: 'unicode-high', when: { detector: 'unicode', severity: 'high' }, verdict: 'review' },
    { id: 'injection-download-exec', when: { detector: 'injection', rule: 'download-exec', severity: 'medium' }, verdict: 'quarantine' },
    { id: 'injection-high', when: { detector: 'injection', severity: 'high' }, verdict: 'review' },
    { id: 'pii-high', when: { detector: 'pii', severity: 'high' }, verdict: 'review' },
    { id: 'pii-medium', when: { detector: 'pii', severity: 'medium', minShare: 0.005 }, verdict: 'review' },
    { id: 'duplicates', when: { detector: 'duplicates', minShare: 0.05 }, verdict: 'review' },
    { id: 'schema', when: { detector: 'schema', severity: 'medium' }, verdict: 'review' },
    { id: 'drift', when: { detector: 'drift', severity: 'medium' }, verdict: 'review' },
  ],
  ignore: [],
};

/** Rank of a verdict (accept 0 … reject 3). */
export function verdictRank(v: Verdict): number {
  return VERDICTS.indexOf(v);
}

/** The more severe of two verdicts. */
export function worstVerdict(a: Verdict, b: Verdict): Verdict {
  return verdictRank(b) > verdictRank(a) ? b : a;
}

/** Whether rule name(s) `names` (plain or `detector/rule`) name the finding's rule; undefined names every rule. */
export function ruleMatches(f: Pick<Finding, 'detector' | 'rule'>, names: string | readonly string[] | undefined): boolean {
  if (names === undefined) return true;
  const list = typeof names === 'string' ? [names] : names;
  return list.some((n) => n === f.rule || n === `${f.detector}/${f.rule}`);
}

function conditionMatches(f: Finding, w: PolicyCondition): boolean {
  return (
    (w.detector === undefined || f.detector === w.detector) &&
    ruleMatches(f, w.rule) &&
    (w.severity === undefined || SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(w.severity)) &&
    (w.confidence === undefined || f.confidence >= w.confidence)
  );
}

/** The generated message of a rule that fired (or its own `message`). */
export function describeReason(r: PolicyRule, count: number, records: number, total: number): string {
  if (r.message !== undefined) return r.message;
  const w = r.when;
  const what = [w.detector ?? 'any detector', w.rule === undefined ? undefined : typeof w.rule === 'string' ? w.rule : w.rule.join('|')].filter((x) => x !== undefined).join('/');
  const sev = w.severity === undefined ? '' : ` at severity ${w.severity} or above`;
  const share = total > 0 ? ` (${((records / total) * 100).toFixed(records / total < 0.01 ? 2 : 1)}% of records)` : '';
  return `${count} ${what} finding(s)${sev} in ${records} record(s)${share} → ${r.verdict}`;
}

/** Applies `policy` to `findings` of a delivery of `totalRecords` records. */
export function applyPolicy(policy: Policy, findings: readonly Finding[], totalRecords: number): PolicyOutcome {
  const ignores = policy.ignore.map((g) => ({ ...g, re: g.file === undefined ? undefined : globToRegExp(g.file) }));
  const kept = ignores.length === 0 ? [...findings] : findings.filter((f) => !ignores.some((g) => (g.detector === undefined || g.detector === f.detector) && ruleMatches(f, g.rule) && (g.re === undefined || g.re.test(f.location.file))));
  let verdict: Verdict = 'accept';
  const reasons: PolicyReason[] = [];
  for (const r of policy.rules) {
    let count = 0;
    const recs = new Set<string>();
    for (const f of kept) {
      if (!conditionMatches(f, r.when)) continue;
      count++;
      recs.add(`${f.location.index}\u0000${f.location.file}`);
    }
    if (count === 0 || count < (r.when.minCount ?? 1)) continue;
    if (r.when.minShare !== undefined && (totalRecords === 0 || recs.size / totalRecords < r.when.minShare)) continue;
    verdict = worstVerdict(verdict, r.verdict);
    reasons.push({ rule: r.id, verdict: r.verdict, count, message: describeReason(r, count, recs.size, totalRecords) });
  }
  return { verdict, reasons, findings: kept, ignored: findings.length - kept.length };
}


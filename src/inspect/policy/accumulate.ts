/**
 * The policy applied as findings arrive, so a run never has to hold every finding to reach its
 * verdict: each finding passes the ignore list once and bumps the counters (findings and distinct
 * records) of the rules it matches. `outcome` gives exactly the verdict and reasons `applyPolicy`
 * gives over the same findings, whatever their order.
 */
import { globToRegExp } from '../../core/index.js';
import type { DetectorId, Finding, PolicyReason, Verdict } from '../types.js';
import { describeReason, ruleMatches, SEVERITIES, worstVerdict, type Policy, type PolicyRule } from './policy.js';

interface Ignore {
  readonly detector: DetectorId | undefined;
  readonly rule: string | undefined;
  readonly re: RegExp | undefined;
}

/** What a (detector, rule) pair resolves to, computed once per pair. */
interface Route {
  /** True when an ignore entry without a file pattern drops every finding of the pair. */
  readonly dropped: boolean;
  /** Ignore entries with a file pattern that match the pair. */
  readonly fileIgnores: readonly Ignore[];
  /** Indices of the policy rules whose detector and rule names match the pair. */
  readonly rules: readonly number[];
}

/** A growable bit set of record indices (one bit per record of a file: 2.5 MB for 20M records). */
class Bits {
  private bytes = new Uint8Array(64);
  /** Sets bit i; returns whether it was clear. */
  set(i: number): boolean {
    const at = i >>> 3;
    if (at >= this.bytes.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    const m = 1 << (i & 7);
    const was = (this.bytes[at] as number) & m;
    this.bytes[at] = (this.bytes[at] as number) | m;
    return was === 0;
  }
}

class RuleTally {
  count = 0;
  records = 0;
  private readonly seen = new Map<string, Bits>();
  private lastFile: string | undefined;
  private lastIndex = 0;

  add(file: string, index: number): void {
    this.count++;
    if (file === this.lastFile && index === this.lastIndex) return;
    this.lastFile = file;
    this.lastIndex = index;
    let s = this.seen.get(file);
    if (!s) this.seen.set(file, (s = new Bits()));
    if (s.set(index)) this.records++;
  }
}

/** Applies a policy one finding at a time. */
export class PolicyAccumulator {
  private readonly ignores: Ignore[];
  private readonly routes = new Map<string, Map<string, Route>>();
  private readonly tallies: RuleTally[];
  private readonly severityMin: number[];
  private readonly fileMatch = new Map<RegExp, Map<string, boolean>>();
  private dropped = 0;

  constructor(private readonly policy: Policy) {
    this.ignores = policy.ignore.map((g) => ({ detector: g.detector, rule: g.rule, re: g.file === undefined ? undefined : globToRegExp(g.file) }));
    this.tallies = policy.rules.map(() => new RuleTally());
    this.severityMin = policy.rules.map((r) => (r.when.severity === undefined ? -1 : SEVERITIES.indexOf(r.when.severity)));
  }

  /** Findings dropped by the ignore list so far. */
  get ignored(): number {
    return this.dropped;
  }

  private route(f: Finding): Route {
    let byRule = this.routes.get(f.detector);
    if (!byRule) this.routes.set(f.detector, (byRule = new Map()));
    let r = byRule.get(f.rule);
    if (r) return r;
    const pair = this.ignores.filter((g) => (g.detector === undefined || g.detector === f.detector) && ruleMatches(f, g.rule));
    const rules: number[] = [];
    this.policy.rules.forEach((p: PolicyRule, i) => {
      if ((p.when.detector === undefined || p.when.detector === f.detector) && ruleMatches(f, p.when.rule)) rules.push(i);
    });
    r = { dropped: pair.some((g) => g.re === undefined), fileIgnores: pair.filter((g) => g.re !== undefined), rules };
    byRule.set(f.rule, r);
    return r;
  }

  private fileIgnored(re: RegExp, file: string): boolean {
    let m = this.fileMatch.get(re);
    if (!m) this.fileMatch.set(re, (m = new Map()));
    let hit = m.get(file);
    if (hit === undefined) {
      re.lastIndex = 0;
      hit = re.test(file);
      m.set(file, hit);
    }
    return hit;
  }

  /** Counts `f` toward the policy rules; false when an ignore entry drops it (it must then leave the report). */
  /** Whether the policy's ignore list drops `f` (nothing is counted). */
  drops(f: Finding): boolean {
    const r = this.route(f);
    return r.dropped || r.fileIgnores.some((g) => this.fileIgnored(g.re as RegExp, f.location.file));
  }

  add(f: Finding): boolean {
    const r = this.route(f);
    if (r.dropped || r.fileIgnores.some((g) => this.fileIgnored(g.re as RegExp, f.location.file))) {
      this.dropped++;
      return false;
    }
    if (r.rules.length === 0) return true;
    const sev = SEVERITIES.indexOf(f.severity);
    for (const i of r.rules) {
      const w = (this.policy.rules[i] as PolicyRule).when;
      if (sev < (this.severityMin[i] as number)) continue;
      if (w.confidence !== undefined && !(f.confidence >= w.confidence)) continue;
      (this.tallies[i] as RuleTally).add(f.location.file, f.location.index);
    }
    return true;
  }

  /** The verdict and the rules that fired, for a delivery of `totalRecords` records. */
  outcome(totalRecords: number): { verdict: Verdict; reasons: PolicyReason[]; ignored: number } {
    let verdict: Verdict = 'accept';
    const reasons: PolicyReason[] = [];
    this.policy.rules.forEach((r, i) => {
      const t = this.tallies[i] as RuleTally;
      if (t.count === 0 || t.count < (r.when.minCount ?? 1)) return;
      if (r.when.minShare !== undefined && (totalRecords === 0 || t.records / totalRecords < r.when.minShare)) return;
      verdict = worstVerdict(verdict, r.verdict);
      reasons.push({ rule: r.id, verdict: r.verdict, count: t.count, message: describeReason(r, t.count, t.records, totalRecords) });
    });
    return { verdict, reasons, ignored: this.dropped };
  }
}

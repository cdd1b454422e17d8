/** Scanning text with the rule table: prefilter, match, validate, resolve overlaps, redact. */
import type { Severity } from '../../types.js';
import { isDocumentedExample } from './examples.js';
import { compileLiterals, selectScannable } from '../../text/index.js';
import { SECRET_RULES } from './rules.js';
import type { SecretRule, Verdict } from './rules.js';
import { shannonEntropy } from './validators.js';

/** One secret found in a text. `value` is the raw secret: never print it. */
export interface SecretHit {
  readonly rule: SecretRule;
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly severity: Severity;
  readonly confidence: number;
  readonly example: boolean;
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** A compiled rule set: rules in priority order (earlier wins on overlap). */
export interface SecretScanner {
  readonly rules: readonly SecretRule[];
  scan(text: string): SecretHit[];
}

const MAX_HITS_PER_RULE = 1000; // bound work on adversarial fields full of candidates

/** Compile a scanner over `rules` (default: the built-in table). Rejects duplicate ids. */
export function createSecretScanner(rules: readonly SecretRule[] = SECRET_RULES): SecretScanner {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new Error(`duplicate secret rule id ${r.id}`);
    if (!r.pattern.global || !r.pattern.hasIndices) throw new Error(`secret rule ${r.id}: pattern needs the g and d flags`);
    if (r.requires?.global === true || r.requires?.sticky === true) throw new Error(`secret rule ${r.id}: requires must not have the g or y flag`);
    seen.add(r.id);
  }
  // Keyword gate: one pass over the text finds every rule keyword (see literals.ts); a field
  // with none of them, which is nearly every field, costs that pass and nothing else.
  const gate = keywordGate(rules);
  return {
    rules,
    scan(text: string): SecretHit[] {
      if (text.length < 8) return [];
      const present = gate.present(text);
      if (present === undefined) return [];
      const accepted: SecretHit[] = [];
      for (let r = 0; r < rules.length; r++) {
        const ids = gate.ruleKeywords[r] as Int32Array;
        let on = false;
        for (let k = 0; k < ids.length && !on; k++) on = present[ids[k] as number] === 1;
        if (on) collect(rules[r] as SecretRule, text, accepted);
      }
      accepted.sort((a, b) => a.start - b.start || a.end - b.end);
      return accepted;
    },
  };
}

interface KeywordGate {
  /** Per rule (same order), the indices of its keywords in the gate's keyword list. */
  readonly ruleKeywords: readonly Int32Array[];
  /**
   * Flags per keyword (1: the case-folded text contains it), or undefined when it contains none.
   * The array is reused by the next call.
   */
  present(text: string): Uint8Array | undefined;
}

/**
 * The keyword prefilter. Decides exactly as `text.toLowerCase().includes(keyword)` for every
 * keyword: the one-pass literal scan agrees with it on all text except U+0130 and U+212A, where
 * (like for keywords the scan cannot take: upper case, non-ASCII, 1 character, too many distinct
 * characters) the lowered text is searched directly.
 */
function keywordGate(rules: readonly SecretRule[]): KeywordGate {
  const all = [...new Set(rules.flatMap((r) => r.keywords))];
  const fast = selectScannable(all);
  const scanner = compileLiterals(fast);
  const slow = all.filter((k) => !fast.includes(k));
  const keywords = [...fast, ...slow];
  const index = new Map(keywords.map((k, i) => [k, i]));
  const ruleKeywords = rules.map((r) => Int32Array.from(r.keywords, (k) => index.get(k) as number));
  const flags = new Uint8Array(keywords.length);
  let dirty = false; // flags holds marks of the previous text
  return {
    ruleKeywords,
    present(text: string): Uint8Array | undefined {
      if (dirty) flags.fill(0);
      let n = scanner.scan(text, flags);
      if (slow.length > 0 || scanner.foldHazard) {
        const lower = text.toLowerCase();
        // On U+0130/U+212A every keyword is decided on the lowered text, else only the slow ones.
        const from = scanner.foldHazard ? 0 : fast.length;
        if (from === 0) n = 0;
        for (let i = from; i < keywords.length; i++) {
          const on = lower.includes(keywords[i] as string) ? 1 : 0;
          flags[i] = on;
          n += on;
        }
      }
      dirty = n !== 0;
      return dirty ? flags : undefined;
    },
  };
}

function overlaps(hits: readonly SecretHit[], start: number, end: number): boolean {
  for (const h of hits) if (h.start < end && start < h.end) return true;
  return false;
}

function collect(rule: SecretRule, text: string, accepted: SecretHit[]): void {
  if (rule.requires !== undefined && !rule.requires.test(text)) return;
  const re = rule.pattern;
  re.lastIndex = 0;
  const group = rule.group ?? 1;
  let n = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    if (++n > MAX_HITS_PER_RULE) break;
    const idx = m.indices?.[group];
    const [gs, ge] = idx ?? [m.index, m.index + m[0].length];
    const secret = text.slice(gs, ge);
    if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) continue;
    let verdict: Verdict | null = {};
    if (rule.validate !== undefined) {
      verdict = rule.validate(secret, { text, matchStart: m.index, matchEnd: m.index + m[0].length });
      if (verdict === null) continue;
    }
    const [start, end] = verdict.span ?? [gs, ge];
    if (overlaps(accepted, start, end)) continue;
    const value = text.slice(start, end);
    const example = isDocumentedExample(rule.id, secret);
    const data = { ...(verdict.data ?? {}), ...(example ? { example: true } : {}) };
    accepted.push({
      rule,
      start,
      end,
      value,
      severity: example ? 'info' : (verdict.severity ?? rule.severity),
      confidence: verdict.confidence ?? rule.confidence,
      example,
      data,
    });
  }
}

const defaultScanner = createSecretScanner();

/** Find every secret in `text` with the built-in rules, ordered by position. */
export function scanSecrets(text: string): SecretHit[] {
  return defaultScanner.scan(text);
}

/** Replace every secret in `text` with a typed placeholder such as `[SECRET:aws-access-key-id]`. */
export function redactSecrets(text: string, scanner: SecretScanner = defaultScanner): string {
  const hits = scanner.scan(text);
  if (hits.length === 0) return text;
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + `[SECRET:${h.rule.id}]`;
    at = h.end;
  }
  return out + text.slice(at);
}

/** Scanning text with the rule table: prefilter, match, validate, resolve overlaps, redact. */
import type { Severity } from '../../types.js';
import { isDocumentedExample } from './examples.js';
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
    seen.add(r.id);
  }
  // Cheap gate first: a field with no keyword of any rule costs one lowercase + a few indexOf.
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
  const firstChars = new Set(keywords.map((k) => k.charAt(0)));
  return {
    rules,
    scan(text: string): SecretHit[] {
      if (text.length < 8) return [];
      const lower = text.toLowerCase();
      const present = new Set<string>();
      for (const k of keywords) if (firstChars.has(k.charAt(0)) && lower.includes(k)) present.add(k);
      if (present.size === 0) return [];
      const accepted: SecretHit[] = [];
      for (const rule of rules) {
        if (!rule.keywords.some((k) => present.has(k))) continue;
        collect(rule, text, accepted);
      }
      accepted.sort((a, b) => a.start - b.start || a.end - b.end);
      return accepted;
    },
  };
}

function overlaps(hits: readonly SecretHit[], start: number, end: number): boolean {
  for (const h of hits) if (h.start < end && start < h.end) return true;
  return false;
}

function collect(rule: SecretRule, text: string, accepted: SecretHit[]): void {
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

/**
 * Policy files (YAML or JSON). Strictly validated: unknown keys, wrong types, unknown detectors,
 * severities or verdicts, duplicate rule ids are all reported at once, each with its path.
 *
 *   name: my-lab            # optional, default: the file name
 *   extends: default        # default | none; rules with an id of the base replace it in place
 *   disable: [pii-medium]   # base rule ids to drop
 *   rules:
 *     - id: pii-any
 *       when: { detector: pii, rule: [email, phone], severity: medium, confidence: 0.8, minCount: 1, minShare: 0.01 }
 *       verdict: quarantine
 *       message: PII must be scrubbed before delivery
 *   ignore:
 *     - { rule: pii/ip-address }
 *     - { file: "fixtures/**" }
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import { ProvenantError, parseStrictJson, type ProvenantErrorOptions } from '../../core/index.js';
import type { DetectorId } from '../types.js';
import { DEFAULT_POLICY, SEVERITIES, VERDICTS, type Policy, type PolicyCondition, type PolicyIgnore, type PolicyRule } from './policy.js';

/** A policy file could not be read, parsed or validated (exit 2). */
export class PolicyError extends ProvenantError {
  constructor(code: string, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
}

const DETECTORS: readonly DetectorId[] = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'contamination', 'poisoning', 'drift'];
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly issues: PolicyIssue[] = [];
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(`${path}.${k}`, `unknown key; allowed: ${allowed.join(', ')}`);
  }
  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.add(path, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
    return undefined;
  }
  str(v: unknown, path: string): string | undefined {
    if (typeof v === 'string' && v.length > 0 && v.length <= 500) return v;
    this.add(path, 'must be a non-empty string (at most 500 characters)');
    return undefined;
  }
  num(v: unknown, path: string, min: number, max: number, integer = false): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))) return v;
    this.add(path, `must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
    return undefined;
  }
}

function checkRuleName(c: Checker, v: unknown, path: string): string | undefined {
  const s = c.str(v, path);
  if (s === undefined) return undefined;
  const slash = s.indexOf('/');
  if (slash >= 0 && !(DETECTORS as readonly string[]).includes(s.slice(0, slash))) {
    c.add(path, `qualified rule ${JSON.stringify(s)} names an unknown detector; use detector/rule with one of ${DETECTORS.join(', ')}`);
    return undefined;
  }
  return s;
}

function checkWhen(c: Checker, v: unknown, path: string): PolicyCondition | undefined {
  if (!isObj(v)) {
    c.add(path, 'must be a mapping (detector, rule, severity, confidence, minCount, minShare)');
    return undefined;
  }
  c.keys(v, path, ['detector', 'rule', 'severity', 'confidence', 'minCount', 'minShare']);
  const out: { -readonly [K in keyof PolicyCondition]: PolicyCondition[K] } = {};
  if (v['detector'] !== undefined) {
    const d = c.oneOf(v['detector'], `${path}.detector`, DETECTORS);
    if (d) out.detector = d;
  }
  const rule = v['rule'];
  if (rule !== undefined) {
    if (Array.isArray(rule)) {
      if (rule.length === 0) c.add(`${path}.rule`, 'must not be an empty list');
      const names = rule.map((r, i) => checkRuleName(c, r, `${path}.rule[${i}]`)).filter((x): x is string => x !== undefined);
      out.rule = names;
    } else {
      const r = checkRuleName(c, rule, `${path}.rule`);
      if (r) out.rule = r;
    }
  }
  if (v['severity'] !== undefined) {
    const s = c.oneOf(v['severity'], `${path}.severity`, SEVERITIES);
    if (s) out.severity = s;
  }
  if (v['confidence'] !== undefined) {
    const n = c.num(v['confidence'], `${path}.confidence`, 0, 1);
    if (n !== undefined) out.confidence = n;
  }
  if (v['minCount'] !== undefined) {
    const n = c.num(v['minCount'], `${path}.minCount`, 1, Number.MAX_SAFE_INTEGER, true);
    if (n !== undefined) out.minCount = n;
  }
  if (v['minShare'] !== undefined) {
    const n = c.num(v['minShare'], `${path}.minShare`, 0, 1);
    if (n !== undefined) out.minShare = n;
  }
  return out;
}

/** Validates a parsed policy document; POLICY_INVALID lists every issue with its path. */
export function validatePolicy(doc: unknown, source: string): Policy {
  const c = new Checker();
  if (!isObj(doc)) throw new PolicyError('POLICY_INVALID', 'policy must be a mapping with rules and/or ignore; see `provenant inspect --help`', { location: { file: source } });
  c.keys(doc, '$', ['name', 'extends', 'disable', 'rules', 'ignore']);
  const name = doc['name'] === undefined ? basename(source) : (c.str(doc['name'], '$.name') ?? 'invalid');
  const ext = doc['extends'] === undefined ? 'default' : c.oneOf(doc['extends'], '$.extends', ['default', 'none'] as const);
  const base = ext === 'none' ? [] : DEFAULT_POLICY.rules;

  const disabled = new Set<string>();
  if (doc['disable'] !== undefined) {
    if (!Array.isArray(doc['disable'])) c.add('$.disable', 'must be a list of rule ids of the base policy');
    else
      doc['disable'].forEach((d, i) => {
        const s = c.str(d, `$.disable[${i}]`);
        if (s === undefined) return;
        if (!base.some((r) => r.id === s)) c.add(`$.disable[${i}]`, `${JSON.stringify(s)} is not a rule of the ${ext ?? 'default'} policy`);
        disabled.add(s);
      });
  }

  const rules: PolicyRule[] = [];
  const ids = new Set<string>();
  if (doc['rules'] !== undefined) {
    if (!Array.isArray(doc['rules'])) c.add('$.rules', 'must be a list of rules');
    else
      doc['rules'].forEach((r, i) => {
        const p = `$.rules[${i}]`;
        if (!isObj(r)) return c.add(p, 'must be a mapping with id, when, verdict');
        c.keys(r, p, ['id', 'when', 'verdict', 'message']);
        const id = r['id'] === undefined ? (c.add(`${p}.id`, 'is required'), undefined) : c.str(r['id'], `${p}.id`);
        if (id !== undefined && !ID_RE.test(id)) c.add(`${p}.id`, 'must be letters, digits, dot, dash or underscore');
        if (id !== undefined && ids.has(id)) c.add(`${p}.id`, `duplicate rule id ${JSON.stringify(id)}`);
        if (id !== undefined) ids.add(id);
        const when = r['when'] === undefined ? (c.add(`${p}.when`, 'is required'), undefined) : checkWhen(c, r['when'], `${p}.when`);
        const verdict = c.oneOf(r['verdict'], `${p}.verdict`, VERDICTS);
        const message = r['message'] === undefined ? undefined : c.str(r['message'], `${p}.message`);
        if (id && when && verdict) rules.push({ id, when, verdict, ...(message !== undefined ? { message } : {}) });
      });
  }

  const ignore: PolicyIgnore[] = [];
  if (doc['ignore'] !== undefined) {
    if (!Array.isArray(doc['ignore'])) c.add('$.ignore', 'must be a list of {detector?, rule?, file?}');
    else
      doc['ignore'].forEach((g, i) => {
        const p = `$.ignore[${i}]`;
        if (!isObj(g)) return c.add(p, 'must be a mapping with detector, rule and/or file');
        c.keys(g, p, ['detector', 'rule', 'file']);
        if (g['detector'] === undefined && g['rule'] === undefined && g['file'] === undefined) return c.add(p, 'must name a detector, a rule or a file glob');
        const out: { -readonly [K in keyof PolicyIgnore]: PolicyIgnore[K] } = {};
        if (g['detector'] !== undefined) {
          const d = c.oneOf(g['detector'], `${p}.detector`, DETECTORS);
          if (d) out.detector = d;
        }
        if (g['rule'] !== undefined) {
          const r = checkRuleName(c, g['rule'], `${p}.rule`);
          if (r) out.rule = r;
        }
        if (g['file'] !== undefined) {
          const f = c.str(g['file'], `${p}.file`);
          if (f !== undefined && (f.startsWith('/') || f.includes('\\'))) c.add(`${p}.file`, 'must be a relative POSIX glob');
          else if (f !== undefined) out.file = f;
        }
        ignore.push(out);
      });
  }

  if (c.issues.length > 0) {
    const list = c.issues.map((x) => `${x.path}: ${x.message}`).join('; ');
    throw new PolicyError('POLICY_INVALID', `${c.issues.length} problem(s) in the policy: ${list}; fix the file`, { location: { file: source }, details: { issues: c.issues } });
  }
  // Base rules stay in place (replaced when the file reuses their id); new rules follow.
  const merged: PolicyRule[] = [];
  const own = new Map(rules.map((r) => [r.id, r]));
  for (const r of base) {
    if (disabled.has(r.id)) continue;
    merged.push(own.get(r.id) ?? r);
    own.delete(r.id);
  }
  merged.push(...rules.filter((r) => own.has(r.id)));
  return { name, rules: merged, ignore };
}

/** Parses policy text: JSON (strict, duplicate keys refused) when `source` ends in .json, YAML otherwise. */
export function parsePolicy(text: string, source: string): Policy {
  let doc: unknown;
  if (source.toLowerCase().endsWith('.json')) {
    try {
      doc = parseStrictJson(text, { location: { file: source } });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new PolicyError('POLICY_SYNTAX', `policy is not valid JSON: ${why}`, { location: { file: source }, cause: err });
    }
  } else {
    const d = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true });
    const first = d.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0].line;
      throw new PolicyError('POLICY_SYNTAX', `policy is not valid YAML: ${first.message.split('\n')[0] ?? ''}; fix the file`, {
        location: { file: source, ...(line !== undefined ? { line } : {}) },
        cause: first,
      });
    }
    try {
      // A low alias budget refuses "billion laughs" documents.
      doc = d.toJS({ maxAliasCount: 50 });
    } catch (err) {
      throw new PolicyError('POLICY_SYNTAX', `policy cannot be read: ${err instanceof Error ? err.message : String(err)}`, { location: { file: source }, cause: err });
    }
  }
  return validatePolicy(doc, source);
}

/** Reads and parses a policy file (POLICY_UNREADABLE, POLICY_SYNTAX, POLICY_INVALID). */
export async function loadPolicy(path: string): Promise<Policy> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new PolicyError('POLICY_UNREADABLE', `cannot read the policy file (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: path }, cause: err });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (err) {
    throw new PolicyError('POLICY_SYNTAX', 'policy file is not valid UTF-8; re-encode it', { location: { file: path }, cause: err });
  }
  return parsePolicy(text, path);
}

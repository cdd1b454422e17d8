/**
 * Field roles (DESIGN §5): which strings of a training record are the prompt, the response, the
 * chosen/rejected answers, the label or plain text. Recognises the common public layouts (alpaca,
 * messages/chat, ShareGPT, chosen/rejected incl. Anthropic hh-rlhf transcripts, text/label,
 * sentence/label, question/answer, prompt/completion) and accepts explicit overrides from
 * `--fields role=field,...`. Pure functions of the record value: safe on worker threads.
 */
import { InputError } from '../../core/index.js';
import type { FieldRole, TextField } from '../types.js';

/** Every role a field can be given, in the order documented for `--fields`. */
export const FIELD_ROLES: readonly FieldRole[] = ['prompt', 'response', 'chosen', 'rejected', 'label', 'text', 'messages'];

/** The layout a record was recognised as. `custom` means every role came from overrides. */
export type Layout =
  | 'alpaca'
  | 'messages'
  | 'sharegpt'
  | 'preference'
  | 'hh-rlhf'
  | 'prompt-completion'
  | 'question-answer'
  | 'text-label'
  | 'sentence-label'
  | 'text'
  | 'custom'
  | 'unknown';

/**
 * Explicit roles: role → field. A field is a top-level key (`instruction`, `my key`) or a JSON path
 * starting with `$` (`$.meta.question`). A role may name several fields. Every string at or below
 * a named field gets the role, and a role named here is taken only from here (detection no longer
 * assigns it).
 */
export type FieldOverrides = Readonly<Partial<Record<FieldRole, string | readonly string[]>>>;

/** What detectRoles found for one record. */
export interface RoleAssignment {
  readonly layout: Layout;
  /**
   * JSON path → role. A role on an object or array path applies to every string below it unless a
   * deeper path has its own role (e.g. `$.messages` is `messages`, `$.messages[1].content` is `response`).
   */
  readonly paths: Readonly<Record<string, FieldRole>>;
  /**
   * Text per role for detectors that reason about pairs (poisoning, contamination, schema): the
   * strings of that role joined by a newline (numbers and booleans for `label`). For hh-rlhf
   * transcripts `prompt` is the dialogue both answers share (up to the final `Assistant:` turn)
   * and `chosen`/`rejected` are only the final answers that differ.
   */
  readonly texts: Readonly<Partial<Record<FieldRole, string>>>;
}

/** Both results of one pass over a record: the role assignment and its flattened text fields. */
export interface RecordAnalysis extends RoleAssignment {
  readonly fields: TextField[];
}

const OVERRIDE_SOURCE = { file: '--fields' } as const;
const ROLE_SET: ReadonlySet<string> = new Set(FIELD_ROLES);
/** Records nested deeper than this are flattened only down to this depth (the reader caps at 512). */
const MAX_DEPTH = 600;

/**
 * Parses `role=field,role=field` (the `--fields` flag) into overrides. Throws InputError
 * FIELDS_SYNTAX (an item is not `role=field`), FIELDS_UNKNOWN_ROLE or FIELDS_CONFLICT (one field
 * given two roles). A role named twice collects both fields into an array.
 */
export function parseFieldsFlag(s: string): FieldOverrides {
  const out: Partial<Record<FieldRole, string | string[]>> = {};
  const owner = new Map<string, FieldRole>();
  const items = s.split(',');
  for (const [i, raw] of items.entries()) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    const role = eq < 0 ? '' : item.slice(0, eq).trim();
    const field = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (eq < 0 || role === '' || field === '') {
      throw new InputError(
        'FIELDS_SYNTAX',
        `--fields item ${i + 1} ${JSON.stringify(item)} is not role=field; write e.g. --fields prompt=instruction,response=output`,
        { location: OVERRIDE_SOURCE },
      );
    }
    if (!ROLE_SET.has(role)) {
      throw new InputError(
        'FIELDS_UNKNOWN_ROLE',
        `--fields role ${JSON.stringify(role)} is unknown; use one of ${FIELD_ROLES.join(', ')}`,
        { location: OVERRIDE_SOURCE },
      );
    }
    const r = role as FieldRole;
    const prev = owner.get(field);
    if (prev !== undefined && prev !== r) {
      throw new InputError(
        'FIELDS_CONFLICT',
        `--fields gives field ${JSON.stringify(field)} two roles (${prev} and ${r}); give each field one role`,
        { location: OVERRIDE_SOURCE },
      );
    }
    if (prev === r) continue;
    owner.set(field, r);
    const cur = out[r];
    out[r] = cur === undefined ? field : Array.isArray(cur) ? [...cur, field] : [cur as string, field];
  }
  return out;
}

/** Renders the JSON path of a member: `$.key` for identifier keys, `$["odd key"]` otherwise. */
export function memberPath(parent: string, key: string): string {
  return parent + memberSuffix(key);
}
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Keys repeat across the records of a delivery: their path suffix is computed once (bounded cache). */
const SUFFIXES = new Map<string, string>();
const MAX_SUFFIXES = 20_000;

function memberSuffix(key: string): string {
  let s = SUFFIXES.get(key);
  if (s === undefined) {
    s = IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    if (key.length <= 64) {
      if (SUFFIXES.size >= MAX_SUFFIXES) SUFFIXES.clear();
      SUFFIXES.set(key, s);
    }
  }
  return s;
}

/** Recognises the record's layout and returns the role of each field plus per-role texts. */
export function detectRoles(value: unknown, overrides?: FieldOverrides): RoleAssignment {
  const { layout, paths, texts } = analyzeRecord(value, overrides);
  return { layout, paths, texts };
}

/** Flattens every string of a record (depth-first, document order) with its JSON path and role. */
export function extractFields(value: unknown, overrides?: FieldOverrides): TextField[] {
  return analyzeRecord(value, overrides).fields;
}

/** The layout of a record as detected from its own keys (overrides aside): cheap, no walk over the values. */
export function recordLayout(value: unknown): Layout {
  return isObject(value) ? layoutOf(value, undefined) : 'unknown';
}

/** The role of each path (detected, then overrides), and the resulting layout. */
function rolePaths(value: unknown, overrides: FieldOverrides | undefined): { layout: Layout; paths: Record<string, FieldRole> } {
  const detected = isObject(value) ? detectLayout(value) : { layout: 'unknown' as Layout, paths: {} };
  const overridePaths = overrides ? normalizeOverrides(overrides) : undefined;
  let paths: Record<string, FieldRole> = detected.paths;
  let layout = detected.layout;
  if (overridePaths && overridePaths.size > 0) {
    const overridden = new Set(overridePaths.values());
    paths = {};
    for (const [p, r] of Object.entries(detected.paths)) if (!overridden.has(r)) paths[p] = r;
    for (const [p, r] of overridePaths) paths[p] = r;
    if (Object.keys(paths).length === overridePaths.size) layout = 'custom';
  }
  return { layout, paths };
}

/**
 * Only the flattened text fields of a record, with their roles (what a record view needs): the
 * same `fields` as analyzeRecord, without building the per-role texts.
 */
export function recordFields(value: unknown, overrides?: FieldOverrides): TextField[] {
  const { paths } = rolePaths(value, overrides);
  const fields: TextField[] = [];
  walk(value, '$', undefined, paths, fields, undefined, 0);
  return fields;
}

/** One pass doing both detectRoles and extractFields. */
export function analyzeRecord(value: unknown, overrides?: FieldOverrides): RecordAnalysis {
  const { layout, paths } = rolePaths(value, overrides);
  const fields: TextField[] = [];
  const byRole = new Map<FieldRole, string[]>();
  walk(value, '$', undefined, paths, fields, byRole, 0);

  const texts: Partial<Record<FieldRole, string>> = {};
  for (const [role, parts] of byRole) texts[role] = dedupe(parts).join('\n');
  if (layout === 'hh-rlhf' && isObject(value)) {
    const split = splitTranscripts(value['chosen'], value['rejected']);
    if (split) {
      texts.prompt = split.prompt;
      texts.chosen = split.chosen;
      texts.rejected = split.rejected;
    }
  }
  return { layout, paths, texts, fields };
}

/** The shared dialogue of two hh-rlhf transcripts and the two final answers that differ. */
export function splitTranscripts(
  chosen: unknown,
  rejected: unknown,
): { prompt: string; chosen: string; rejected: string } | undefined {
  if (typeof chosen !== 'string' || typeof rejected !== 'string') return undefined;
  const n = Math.min(chosen.length, rejected.length);
  let i = 0;
  while (i < n && chosen.charCodeAt(i) === rejected.charCodeAt(i)) i++;
  // Cut the shared prefix back to the last assistant turn marker lying wholly inside it: both
  // final answers start after that marker.
  if (i < ASSISTANT_MARK.length) return undefined;
  const marker = chosen.lastIndexOf(ASSISTANT_MARK, i - ASSISTANT_MARK.length);
  if (marker < 0) return undefined;
  const start = marker + ASSISTANT_MARK.length;
  return {
    prompt: chosen.slice(0, marker).trim(),
    chosen: chosen.slice(start).trim(),
    rejected: rejected.slice(start).trim(),
  };
}
const ASSISTANT_MARK = '\n\nAssistant:';

function walk(
  v: unknown,
  path: string,
  inherited: FieldRole | undefined,
  paths: Readonly<Record<string, FieldRole>>,
  out: TextField[],
  byRole: Map<FieldRole, string[]> | undefined,
  depth: number,
): void {
  const role = paths[path] ?? inherited;
  if (typeof v === 'string') {
    out.push(role === undefined ? { path, text: v } : { path, role, text: v });
    if (role !== undefined && byRole) push(byRole, role, v);
    return;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (role === 'label' && byRole) push(byRole, role, String(v));
    return;
  }
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`, role, paths, out, byRole, depth + 1);
    return;
  }
  const o = v as Obj;
  for (const k in o) {
    if (Object.hasOwn(o, k)) walk(o[k], path + memberSuffix(k), role, paths, out, byRole, depth + 1);
  }
}

function push(m: Map<FieldRole, string[]>, role: FieldRole, s: string): void {
  const a = m.get(role);
  if (a) a.push(s);
  else m.set(role, [s]);
}

function dedupe(parts: string[]): string[] {
  return parts.length < 2 ? parts : [...new Set(parts)];
}

function normalizeOverrides(o: FieldOverrides): Map<string, FieldRole> {
  const m = new Map<string, FieldRole>();
  for (const role of FIELD_ROLES) {
    const f = o[role];
    if (f === undefined) continue;
    for (const name of typeof f === 'string' ? [f] : f) m.set(name.startsWith('$') ? name : memberPath('$', name), role);
  }
  return m;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RESPONSE_SPEAKERS: ReadonlySet<string> = new Set(['assistant', 'gpt', 'model', 'bot', 'chatgpt', 'bard', 'bing', 'ai', 'function_call']);

function speakerRole(speaker: unknown): FieldRole {
  // Everything the model does not produce (user, system, developer, tool results) is input.
  return typeof speaker === 'string' && RESPONSE_SPEAKERS.has(speaker.toLowerCase()) ? 'response' : 'prompt';
}

function isTurnArray(v: unknown, speakerKey: string, textKey: string): v is Obj[] {
  return Array.isArray(v) && v.length > 0 && v.every((t) => isObject(t) && speakerKey in t && textKey in t);
}

function isTranscript(v: unknown): boolean {
  return typeof v === 'string' && /^\s*Human:/.test(v);
}

/** Assigns roles to the turns of a chat array; `responseRole` lets preference arrays use chosen/rejected. */
function assignTurns(
  paths: Record<string, FieldRole>,
  base: string,
  turns: Obj[],
  speakerKey: string,
  textKey: string,
  responseRole: FieldRole,
): void {
  for (let i = 0; i < turns.length; i++) {
    const r = speakerRole(turns[i]?.[speakerKey]);
    paths[memberPath(`${base}[${i}]`, textKey)] = r === 'response' ? responseRole : r;
  }
}

const PROMPT_KEYS = ['prompt', 'question', 'instruction', 'input', 'system'] as const;
const CHAT_KEYS = ['messages', 'conversation', 'conversations'] as const;
const ALPACA_PROMPT_KEYS = ['instruction', 'input', 'context'] as const;

/** `$.key` (or `$["odd key"]`) for a top-level key, from the suffix cache. */
function topPath(k: string): string {
  return '$' + memberSuffix(k);
}

/** Gives top-level key `k` role `r` when the record has it (and paths are wanted). */
function setRole(o: Obj, paths: Record<string, FieldRole> | undefined, k: string, r: FieldRole): void {
  if (paths && Object.hasOwn(o, k)) paths[topPath(k)] = r;
}

function detectLayout(o: Obj): { layout: Layout; paths: Record<string, FieldRole> } {
  const paths: Record<string, FieldRole> = {};
  return { layout: layoutOf(o, paths), paths };
}

/** The layout of `o`; fills `paths` with the role of each path when given (else only decides the layout). */
function layoutOf(o: Obj, paths: Record<string, FieldRole> | undefined): Layout {
  const has = Object.hasOwn;
  if (has(o, 'chosen') || has(o, 'rejected')) {
    for (const k of PROMPT_KEYS) setRole(o, paths, k, 'prompt');
    for (const k of ['chosen', 'rejected'] as const) {
      const v = o[k];
      if (!paths) continue;
      if (isTurnArray(v, 'role', 'content')) assignTurns(paths, topPath(k), v, 'role', 'content', k);
      else setRole(o, paths, k, k);
    }
    const hh = !has(o, 'prompt') && (isTranscript(o['chosen']) || isTranscript(o['rejected']));
    return hh ? 'hh-rlhf' : 'preference';
  }
  for (const k of CHAT_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    if (isTurnArray(v, 'role', 'content')) {
      if (paths) {
        paths[topPath(k)] = 'messages';
        assignTurns(paths, topPath(k), v, 'role', 'content', 'response');
        setRole(o, paths, 'system', 'prompt');
      }
      return 'messages';
    }
    if (isTurnArray(v, 'from', 'value')) {
      if (paths) {
        paths[topPath(k)] = 'messages';
        assignTurns(paths, topPath(k), v, 'from', 'value', 'response');
        setRole(o, paths, 'system', 'prompt');
      }
      return 'sharegpt';
    }
  }
  if (has(o, 'instruction') && (has(o, 'output') || has(o, 'response'))) {
    // Alpaca (instruction/input/output) and Dolly (instruction/context/response).
    for (const k of ALPACA_PROMPT_KEYS) setRole(o, paths, k, 'prompt');
    setRole(o, paths, 'output', 'response');
    setRole(o, paths, 'response', 'response');
    return 'alpaca';
  }
  if (has(o, 'prompt') && (has(o, 'completion') || has(o, 'response'))) {
    setRole(o, paths, 'prompt', 'prompt');
    setRole(o, paths, 'completion', 'response');
    setRole(o, paths, 'response', 'response');
    return 'prompt-completion';
  }
  if (has(o, 'question') && (has(o, 'answer') || has(o, 'response'))) {
    setRole(o, paths, 'question', 'prompt');
    setRole(o, paths, 'answer', 'response');
    setRole(o, paths, 'response', 'response');
    return 'question-answer';
  }
  if (has(o, 'label') || has(o, 'labels')) {
    for (const k of ['sentence', 'text'] as const) {
      if (has(o, k)) {
        setRole(o, paths, k, 'text');
        setRole(o, paths, 'label', 'label');
        setRole(o, paths, 'labels', 'label');
        return k === 'text' ? 'text-label' : 'sentence-label';
      }
    }
  }
  if (has(o, 'text')) {
    setRole(o, paths, 'text', 'text');
    return 'text';
  }
  return 'unknown';
}

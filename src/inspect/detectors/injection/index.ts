/**
 * injection detector: text planted in training data to hijack a model that reads it, or to make a
 * model that learned it emit something harmful.
 *
 * Rules: `instruction-override` (phrases in en, fr, de, es, pt, it, ru, zh, ja, ko),
 * `role-token` (chat-template control tokens), `transcript-marker` (a new "Human:" turn or
 * "### Instruction:" inside a response), `exfiltration-link` (markdown/HTML images or links whose
 * URL carries data or a template for it), `hidden-html` (elements styled invisible, HTML comments
 * addressed to a model), `download-exec` (fetch-and-run one-liners).
 * Decisions: a phrase quoted or discussed ("prompt injection", "jailbreak" nearby) is still
 * reported, at low severity and confidence, because poisoned data can hide behind a tutorial
 * framing; a role token inside a code span or fence is low for the same reason. hh-rlhf transcripts
 * legitimately hold "Human:"/"Assistant:", so transcript markers count only in response fields
 * and in chosen/rejected fields that are not themselves transcripts (a field starting with a
 * "Human:" turn, or any chosen/rejected of a record whose layout is hh-rlhf).
 */
import { recordLayout } from '../../fields/index.js';
import { fieldLocation } from '../../location.js';
import { compileLiterals } from '../../text/index.js';
import type { Finding, RecordDetector, RecordView, Severity, TextField } from '../../types.js';
import {
  CERTUTIL,
  DISCUSSION,
  EXFIL_PARAM,
  FETCHER,
  HIDDEN_INSTRUCTION,
  HIDING_STYLE,
  HTML_FETCH,
  KNOWN_INSTALLERS,
  LOLBIN,
  MD_LINK,
  NON_WHITE_BACKGROUND,
  OVERRIDE_ANY,
  OVERRIDE_PATTERNS,
  PIPE_TO_SHELL,
  PS_DOWNLOAD,
  PS_ENCODED,
  PS_EXEC,
  PY_C,
  PY_EXEC,
  PY_NET,
  QUOTES,
  RISKY_URL,
  ROLE_TOKEN,
  SHELL_SUBST,
  STYLE_ATTR,
  TEMPLATE_VALUE,
  TRANSCRIPT_MARKER,
  WHITE_TEXT,
} from './patterns.js';

/** Options of the injection detector. */
export interface InjectionDetectorOptions {
  /** At most this many findings per rule per field (default 5); the last one notes the rest. */
  readonly maxPerRule?: number;
}

/** Rule ids of the injection detector. */
export type InjectionRule =
  | 'instruction-override'
  | 'role-token'
  | 'transcript-marker'
  | 'exfiltration-link'
  | 'hidden-html'
  | 'download-exec';

/** One rule hit inside a text, before it becomes a located Finding. */
export interface InjectionHit {
  rule: InjectionRule;
  severity: Severity;
  confidence: number;
  start: number;
  end: number;
  message: string;
  data: Record<string, unknown>;
}

/** Creates the `injection` record detector. */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): RecordDetector {
  const maxPerRule = options.maxPerRule ?? 5;
  return {
    id: 'injection',
    kind: 'record',
    inspect(view: RecordView): Finding[] {
      const out: Finding[] = [];
      // In an hh-rlhf record, chosen and rejected are whole transcripts, turn markers included,
      // even when one of them does not start with "Human:" (text before the first turn).
      let transcripts: boolean | undefined;
      for (const field of view.fields) {
        const pair = field.role === 'chosen' || field.role === 'rejected';
        if (pair) transcripts ??= recordLayout(view.value) === 'hh-rlhf';
        const hits = scanText(field.text, field.role, pair && transcripts === true);
        if (hits.length === 0) continue;
        hits.sort((a, b) => a.start - b.start || cmp(a.rule, b.rule));
        const perRule = new Map<InjectionRule, number>();
        for (const h of hits) {
          const n = (perRule.get(h.rule) ?? 0) + 1;
          perRule.set(h.rule, n);
          if (n <= maxPerRule) out.push(toFinding(view, field, h));
        }
        for (const [rule, n] of perRule) {
          if (n > maxPerRule) {
            const last = out.findLast((f) => f.rule === rule && f.location.field === field.path);
            if (last) out[out.lastIndexOf(last)] = { ...last, data: { ...last.data, moreInField: n - maxPerRule } };
          }
        }
      }
      return out;
    },
  };
}

/**
 * Runs every rule over one text; `role` is the field's role (undefined when unknown);
 * `transcript` says the field is a whole dialogue (hh-rlhf chosen/rejected), so its turn markers
 * are its structure, not a forged turn.
 */
export function scanText(text: string, role?: TextField['role'], transcript = false): InjectionHit[] {
  const hits: InjectionHit[] = [];
  // One pass finds which rule families can match at all (most text: none), then each family's
  // own gate and patterns run only when its keywords occur. The lower-cased copy is made only
  // when a family needs it.
  const g = gateGroups(text);
  if (g === 0) return hits;
  let lower: string | undefined;
  // Without any other override keyword, only the `are\s+now` / `anything\s+now` alternatives of
  // OVERRIDE_GATE_LATIN can match: test just those (common words, long dialogues).
  const latin = (g & G_OVERRIDE) !== 0 ? OVERRIDE_GATE_LATIN.test(text) : (g & G_NOW) !== 0 && (g & G_ARE) !== 0 && OVERRIDE_GATE_NOW.test(text);
  if (latin || ((g & G_NON_LATIN) !== 0 && OVERRIDE_GATE_OTHER.test(text))) {
    overrides(text, (lower ??= text.toLowerCase()), hits);
  }
  if ((g & G_ROLE) !== 0) roleTokens(text, hits);
  if ((g & G_TRANSCRIPT) !== 0 && !transcript) transcriptMarkers(text, role, hits);
  if ((g & G_LINK) !== 0 && (text.includes('](') || /<[a-z]/i.test(text))) links(text, hits);
  if ((g & G_HTML) !== 0 && text.includes('<')) hiddenHtml(text, hits);
  if ((g & G_EXEC) !== 0) downloadExec(text, (lower ??= text.toLowerCase()), hits);
  return hits;
}

// Rule families of the one-pass gate. Each family's keywords are literals that every match of
// its patterns contains (case-insensitively), so a text without them cannot produce its hits.
const G_OVERRIDE = 1;
const G_NON_LATIN = 2; // Cyrillic, CJK or Hangul characters: OVERRIDE_GATE_OTHER can match
const G_ROLE = 4;
const G_TRANSCRIPT = 8;
const G_LINK = 16;
const G_HTML = 32;
const G_EXEC = 64;
const G_NOW = 128;
const G_ARE = 256;
const GATE_KEYWORDS: ReadonlyArray<readonly [number, readonly string[]]> = [
  // Every alternative of OVERRIDE_GATE_LATIN holds one of these, or both "now" and one of "are",
  // "anything" (`are\s+now`, `anything\s+now`): `mode\s+...` holds "mode",
  // `instructions?\s*:` and `(initial|hidden)\s+instr` "instr", `system\s+prompt` "prompt".
  [
    G_OVERRIDE,
    ['ignor', 'disregard', 'forget', 'skip', 'overrid', 'bypass', 'neglect', 'mode', 'instr', 'prompt', 'oubli', 'tiens', 'vergiss', 'vergessen', 'missacht', 'olvid', 'descart', 'omite', 'esque', 'desconsider', 'dimentic'],
  ],
  [G_NOW, ['now']],
  [G_ARE, ['are', 'anything']],
  // ROLE_TOKEN: <|...|>, [INST] / [/INST], <<SYS>> / <</SYS>>, <start_of_turn> / <end_of_turn>.
  [G_ROLE, ['<|', 'inst]', 'sys>>', '_of_turn>']],
  // TRANSCRIPT_MARKER: Human, Assistant, SYSTEM, USER, ASSISTANT, "### Instruction" and the like
  // (GSM8K answers all end in "#### <number>": "### " alone would open the gate for them).
  [G_TRANSCRIPT, ['human', 'assistant', 'system', 'user', '### instruction', '### response', '### input', '### system']],
  // MD_LINK and HTML_FETCH both end in an http(s):// URL.
  [G_LINK, ['://']],
  // hiddenHtml: comments and style="..." attributes.
  [G_HTML, ['<!--', 'style']],
  // Exactly the alternatives of the former EXEC_GATE regex.
  [G_EXEC, ['curl', 'wget', 'iwr', 'invoke-', 'irm', 'fetch', 'iex', 'powershell', 'certutil', 'python', 'mshta', 'regsvr32', 'base64']],
];
// Pages of 256 code units holding the letters of OVERRIDE_GATE_OTHER: Cyrillic U+0400-04FF,
// CJK ideographs U+4E00-9FFF, Hangul syllables U+AC00-D7FF.
const SCRIPT_PAGES = new Uint32Array(256).map((_, p) => (p === 0x04 || (p >= 0x4e && p <= 0x9f) || (p >= 0xac && p <= 0xd7) ? G_NON_LATIN : 0));
const GATE_SCANNER = compileLiterals(
  GATE_KEYWORDS.flatMap(([, words]) => words),
  SCRIPT_PAGES,
);
const GATE_GROUP_OF = Int32Array.from(GATE_KEYWORDS.flatMap(([group, words]) => words.map(() => group)));
const GATE_FOUND = new Uint8Array(GATE_GROUP_OF.length);

/** The rule families (G_* bits) whose keywords occur in `text`. */
function gateGroups(text: string): number {
  const n = GATE_SCANNER.scan(text, GATE_FOUND);
  let g = GATE_SCANNER.pages;
  if (n === 0) return g;
  for (let i = 0; i < GATE_FOUND.length; i++) {
    if (GATE_FOUND[i] === 1) {
      g |= GATE_GROUP_OF[i] as number;
      GATE_FOUND[i] = 0;
    }
  }
  return g;
}

// ---------------------------------------------------------------------------------------------

/** A text with this many hits has told us all it will: stop scanning it (keeps hostile input cheap). */
const HIT_BUDGET = 1000;

/** Every override pattern contains one of these stems (kept tight: common words like "now" would open it for most text). */
// Split in two: V8 runs a case-insensitive alternation much slower once it holds non-ASCII.
const OVERRIDE_GATE_LATIN =
  /ignor|disregard|forget|skip|overrid|bypass|neglect|are\s+now|anything\s+now|mode\s+(?:enabled|activated|on)|instructions?\s*:|system\s+prompt|initial\s+instr|hidden\s+instr|oubli|tiens|vergiss|vergessen|missacht|olvid|descart|omite|esque|desconsider|dimentic/i;
/** The alternatives of OVERRIDE_GATE_LATIN that hold none of its other keywords. */
const OVERRIDE_GATE_NOW = /are\s+now|anything\s+now/i;
const OVERRIDE_GATE_OTHER = /[иИ][гГ][нН][оО][рР]|[зЗ][аА][бБ][уУ][дД]|[оО][бБ][рР][аА][щЩ]|忽|无视|無視|忘|不要理|무시|잊어/;

const OVERRIDE_TEST = new RegExp(OVERRIDE_ANY.source, 'i');

function discussed(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 3), start);
  const after = text.slice(end, end + 3);
  for (const q of QUOTES) if (before.includes(q) || after.includes(q)) return true;
  return DISCUSSION.test(text.slice(Math.max(0, start - 300), end + 300));
}

function overrides(text: string, lower: string, hits: InjectionHit[]): void {
  const found: Array<{ start: number; phrase: string; lang: string }> = [];
  for (const p of OVERRIDE_PATTERNS) {
    if (!p.anchors.some((a) => lower.includes(a))) continue;
    const re = new RegExp(p.re.source, 'gi');
    let m: RegExpExecArray | null;
    while (found.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      else found.push({ start: m.index, phrase: m[0], lang: p.lang });
    }
  }
  // Several patterns can match the same phrase: keep the earliest, longest, non-overlapping ones.
  found.sort((a, b) => a.start - b.start || b.phrase.length - a.phrase.length);
  let covered = -1;
  for (const { start, phrase, lang } of found) {
    if (start < covered) continue;
    covered = start + phrase.length;
    const end = start + phrase.length;
    const quoted = discussed(text, start, end);
    hits.push({
      rule: 'instruction-override',
      severity: quoted ? 'low' : 'high',
      confidence: quoted ? 0.4 : 0.85,
      start,
      end,
      message: quoted
        ? `an instruction-override phrase (${lang}) is quoted or discussed; check it is not a planted injection`
        : `an instruction-override phrase (${lang}) that tries to replace the model's instructions`,
      data: { phrase: phrase.slice(0, 120), lang, quoted },
    });
  }
}

/** Positions of ``` fences, found once per text. */
function fences(text: string): number[] {
  const out: number[] = [];
  for (let k = text.indexOf('```'); k >= 0 && out.length < 10000; k = text.indexOf('```', k + 3)) out.push(k);
  return out;
}

/** Inside a fenced block (odd number of fences before) or an inline code span on the same line. */
function inCode(text: string, fencesAt: number[], start: number): boolean {
  let lo = 0;
  let hi = fencesAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((fencesAt[mid] as number) < start) lo = mid + 1;
    else hi = mid;
  }
  if (lo % 2 === 1) return true;
  // Inline code: an odd number of backticks between the line start (at most 200 back) and the hit.
  const ls = lineStart(text, start, 200);
  let ticks = 0;
  for (let k = ls; k < start; k++) if (text.charCodeAt(k) === 0x60) ticks++;
  return ticks % 2 === 1;
}

function roleTokens(text: string, hits: InjectionHit[]): void {
  if (text.includes('<') || text.includes('[')) {
    const re = new RegExp(ROLE_TOKEN.source, 'g');
    let m: RegExpExecArray | null;
    let fencesAt: number[] | undefined;
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      fencesAt ??= text.includes('```') ? fences(text) : [];
      const code = inCode(text, fencesAt, m.index);
      hits.push({
        rule: 'role-token',
        severity: code ? 'low' : 'high',
        confidence: code ? 0.4 : 0.85,
        start: m.index,
        end: m.index + m[0].length,
        message: code
          ? `chat-template token ${m[0]} inside code; check it is documentation, not a forged turn`
          : `chat-template token ${m[0]} can forge a system or user turn when the text is templated`,
        data: { token: m[0], inCode: code },
      });
    }
  }
}

function transcriptMarkers(text: string, role: TextField['role'], hits: InjectionHit[]): void {
  // A new turn inside what the model is trained to say teaches it to speak for the user.
  const responseLike = role === 'response' || ((role === 'chosen' || role === 'rejected') && !/^\s*Human:/.test(text));
  if (!responseLike) return;
  const re = new RegExp(TRANSCRIPT_MARKER.source, 'g');
  let m: RegExpExecArray | null;
  while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
    const lead = m[0].length - m[0].trimStart().length;
    const start = m.index + lead;
    hits.push({
      rule: 'transcript-marker',
      severity: 'medium',
      confidence: 0.6,
      start,
      end: m.index + m[0].length,
      message: `a ${role} field contains a turn marker "${m[0].trim()}" that starts a new conversation turn`,
      data: { marker: m[0].trim() },
    });
  }
}

// ---------------------------------------------------------------------------------------------

/** Returns why a URL's query looks like it carries data out, or undefined. */
export function exfilReason(url: string, image: boolean): { reason: string; strong: boolean } | undefined {
  const q = url.indexOf('?');
  if (q < 0) {
    // Data can ride in the path too: a template placeholder anywhere in the URL.
    return TEMPLATE_VALUE.test(url) ? { reason: 'template placeholder in the URL', strong: true } : undefined;
  }
  const params = url.slice(q + 1).split('#')[0]?.split('&') ?? [];
  let named: string | undefined;
  for (const p of params.slice(0, 64)) {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const raw = eq < 0 ? '' : p.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      // keep the raw value: malformed escapes are not evidence either way
    }
    if (TEMPLATE_VALUE.test(value) || TEMPLATE_VALUE.test(raw)) return { reason: `parameter ${name} is a template to fill with data`, strong: true };
    if (image && value.length >= 40) return { reason: `parameter ${name} carries ${value.length} characters of data`, strong: true };
    if (image && named === undefined && EXFIL_PARAM.test(name) && value.length > 0) named = name;
  }
  return named !== undefined ? { reason: `parameter ${named} of an auto-loaded image carries data`, strong: false } : undefined;
}

function links(text: string, hits: InjectionHit[]): void {
  const md = new RegExp(MD_LINK.source, 'g');
  let m: RegExpExecArray | null;
  while (hits.length < HIT_BUDGET && (m = md.exec(text)) !== null) {
    const image = m[1] === '!';
    const url = m[2] ?? '';
    const why = exfilReason(url, image);
    if (!why) continue;
    pushLink(hits, m.index, m.index + m[0].length, url, image, why, 'markdown');
  }
  const html = new RegExp(HTML_FETCH.source, 'gi');
  while (hits.length < HIT_BUDGET && (m = html.exec(text)) !== null) {
    const url = m[1] ?? '';
    const why = exfilReason(url, true);
    if (!why) continue;
    pushLink(hits, m.index, m.index + m[0].length, url, true, why, 'html');
  }
}

function pushLink(
  hits: InjectionHit[],
  start: number,
  end: number,
  url: string,
  image: boolean,
  why: { reason: string; strong: boolean },
  syntax: 'markdown' | 'html',
): void {
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    host = url.slice(0, 60);
  }
  const strong = why.strong && image;
  hits.push({
    rule: 'exfiltration-link',
    severity: strong ? 'high' : 'medium',
    confidence: strong ? 0.85 : why.strong ? 0.7 : 0.55,
    start,
    end,
    message: `${syntax} ${image ? 'image (fetched without a click)' : 'link'} to ${host}: ${why.reason}`,
    data: { host, image, syntax, reason: why.reason },
  });
}

// ---------------------------------------------------------------------------------------------

function hiddenHtml(text: string, hits: InjectionHit[]): void {
  // HTML comments: indexOf keeps this linear whatever the nesting of "<!--".
  let from = 0;
  for (let n = 0; n < 1000; n++) {
    const open = text.indexOf('<!--', from);
    if (open < 0) break;
    const close = text.indexOf('-->', open + 4);
    const end = close < 0 ? text.length : close + 3;
    const body = text.slice(open + 4, Math.min(close < 0 ? text.length : close, open + 4 + 4000));
    const override = OVERRIDE_TEST.test(body);
    if (override || HIDDEN_INSTRUCTION.test(body)) {
      hits.push({
        rule: 'hidden-html',
        severity: override ? 'high' : 'medium',
        confidence: override ? 0.9 : 0.75,
        start: open,
        end,
        message: 'an HTML comment, invisible when rendered, holds instructions addressed to a model',
        data: { kind: 'comment', override },
      });
    }
    if (close < 0) break;
    from = end;
  }
  // Elements styled to be invisible (or white on the default white page).
  const re = new RegExp(STYLE_ATTR.source, 'gi');
  const next = { gt: nextOf(text, '>'), lt: nextOf(text, '<') };
  let m: RegExpExecArray | null;
  while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
    const style = m[1] ?? m[2] ?? '';
    const hiding = HIDING_STYLE.test(style) || (WHITE_TEXT.test(style) && !NON_WHITE_BACKGROUND.test(style));
    if (!hiding) continue;
    // The element's own text: from the end of its start tag to the next tag.
    // Next '>' and '<' are cached: matches only move forward, so a long run of unterminated tags
    // costs one scan, not one per tag.
    const gt = next.gt(m.index + m[0].length);
    if (gt < 0 || gt - m.index > 2000) continue;
    const lt = next.lt(gt + 1);
    const content = text.slice(gt + 1, lt < 0 || lt - gt > 2001 ? Math.min(text.length, gt + 1 + 2000) : lt).trim();
    if (content.length === 0) continue;
    const instr = OVERRIDE_TEST.test(content) || HIDDEN_INSTRUCTION.test(content);
    hits.push({
      rule: 'hidden-html',
      severity: instr ? 'high' : 'medium',
      confidence: instr ? 0.9 : 0.55,
      start: m.index,
      end: gt + 1 + content.length,
      message: instr
        ? 'an element styled invisible holds instructions addressed to a model'
        : `an element styled invisible holds ${content.length} characters of text`,
      data: { kind: 'style', style: style.slice(0, 120), instructions: instr },
    });
  }
}

/** A finder of the next `ch` at or after a position, amortised linear for non-decreasing positions. */
function nextOf(text: string, ch: string): (from: number) => number {
  let at = -2;
  return (from) => {
    if (at === -1 || (at >= from && at !== -2)) return at;
    at = text.indexOf(ch, from);
    return at;
  };
}

// ---------------------------------------------------------------------------------------------

/** Start of the line holding `pos`, looking back at most `max` characters (bounded: no O(n²) on one long line). */
function lineStart(text: string, pos: number, max: number): number {
  const floor = Math.max(0, pos - max);
  for (let k = pos - 1; k >= floor; k--) if (text.charCodeAt(k) === 0x0a) return k + 1;
  return floor;
}

/** End of the line holding `pos`, looking ahead at most `max` characters. */
function lineEnd(text: string, pos: number, max: number): number {
  const ceil = Math.min(text.length, pos + max);
  for (let k = pos; k < ceil; k++) if (text.charCodeAt(k) === 0x0a) return k;
  return ceil;
}

function lineAround(text: string, start: number, end: number, max = 400): { s: number; line: string } {
  const ls = lineStart(text, start, max);
  return { s: ls, line: text.slice(ls, lineEnd(text, end, max)) };
}

function installerRisk(line: string): { severity: Severity; confidence: number; note: string } {
  if (RISKY_URL.test(line)) return { severity: 'high', confidence: 0.9, note: 'from a raw IP, plain HTTP, paste or tunnel host' };
  if (KNOWN_INSTALLERS.some((h) => line.includes(h))) return { severity: 'info', confidence: 0.3, note: 'a well-known installer' };
  if (!/https?:\/\//i.test(line)) return { severity: 'high', confidence: 0.8, note: 'from a URL hidden in a variable or encoding' };
  return { severity: 'medium', confidence: 0.65, note: 'from a remote URL' };
}

function downloadExec(text: string, lower: string, hits: InjectionHit[]): void {
  const add = (start: number, end: number, kind: string, severity: Severity, confidence: number, what: string): void => {
    hits.push({ rule: 'download-exec', severity, confidence, start, end, message: what, data: { kind } });
  };
  let m: RegExpExecArray | null;
  if (text.includes('|') && ['curl', 'wget', 'iwr', 'invoke-webrequest', 'irm', 'invoke-restmethod', 'fetch'].some((w) => lower.includes(w))) {
    const re = new RegExp(PIPE_TO_SHELL.source, 'g');
    let lastEnd = -1;
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      const { s, line } = lineAround(text, m.index, m.index + m[0].length);
      const pipeAt = m.index - s;
      const fetch = FETCHER.exec(line.slice(0, pipeAt));
      if (!fetch || s + fetch.index < lastEnd) continue;
      const r = installerRisk(line);
      const start = s + fetch.index;
      lastEnd = m.index + m[0].length;
      add(start, lastEnd, 'pipe-to-shell', r.severity, r.confidence, `a command downloads a script and pipes it into ${m[0].replace(/^\|\s*/, '').trim()}, ${r.note}`);
    }
  }
  if (lower.includes('curl') || lower.includes('wget')) {
    const re = new RegExp(SHELL_SUBST.source, 'g');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      const r = installerRisk(lineAround(text, m.index, m.index + m[0].length).line);
      add(m.index, m.index + m[0].length, 'shell-substitution', r.severity, r.confidence, `a shell runs the output of a download, ${r.note}`);
    }
  }
  if ((lower.includes('iex') || lower.includes('invoke-expression')) && PS_DOWNLOAD.test(text)) {
    const re = new RegExp(PS_EXEC.source, 'gi');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      const win = text.slice(Math.max(0, m.index - 300), m.index + 300);
      if (!PS_DOWNLOAD.test(win)) continue;
      add(m.index, m.index + m[0].length, 'powershell-iex', 'high', 0.9, 'PowerShell runs a downloaded script with Invoke-Expression');
    }
  }
  if (lower.includes('powershell')) {
    const re = new RegExp(PS_ENCODED.source, 'gi');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) add(m.index, m.index + m[0].length, 'powershell-encoded', 'medium', 0.7, 'PowerShell runs a base64-encoded command');
  }
  if (lower.includes('certutil')) {
    const re = new RegExp(CERTUTIL.source, 'gi');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      const win = text.slice(m.index, m.index + 300);
      if (!/-urlcache\b/i.test(win) || !/(?:https?|ftp):\/\//i.test(win)) continue;
      add(m.index, m.index + m[0].length, 'certutil', 'high', 0.85, 'certutil -urlcache fetches a file from the network (a common malware download step)');
    }
  }
  if (text.includes('python') && PY_NET.test(text) && PY_EXEC.test(text)) {
    const re = new RegExp(PY_C.source, 'g');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      const win = text.slice(m.index, m.index + 600);
      if (!PY_NET.test(win) || !PY_EXEC.test(win)) continue;
      add(m.index, m.index + m[0].length, 'python-exec', 'high', 0.9, 'python -c downloads code and executes it');
    }
  }
  if (lower.includes('mshta') || lower.includes('regsvr32') || lower.includes('base64')) {
    const re = new RegExp(LOLBIN.source, 'gi');
    while (hits.length < HIT_BUDGET && (m = re.exec(text)) !== null) {
      add(m.index, m.index + m[0].length, 'lolbin', 'high', 0.8, 'a system binary runs remote or encoded code (mshta, regsvr32 or base64 into a shell)');
    }
  }
}

// ---------------------------------------------------------------------------------------------

function toFinding(view: RecordView, field: TextField, h: InjectionHit): Finding {
  const location = fieldLocation(view, field.path, h.start, h.end);
  return {
    detector: 'injection',
    rule: h.rule,
    severity: h.severity,
    confidence: h.confidence,
    location,
    message: `${h.message} (field ${field.path})`,
    evidence: clip(field.text.slice(h.start, h.end)),
    data: field.role === undefined ? h.data : { ...h.data, role: field.role },
  };
}

/** Keeps evidence short and printable: newlines escaped, at most 120 characters. */
function clip(s: string): string {
  const one = s.replace(/\r?\n/g, '\\n').replace(/[\p{Cc}\p{Cf}]/gu, (c) => `<U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}>`);
  return one.length > 120 ? `${one.slice(0, 80)}…${one.slice(-30)}` : one;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * unicode detector: invisible and deceptive characters planted in training text.
 *
 * - tag characters (U+E0000–E007F) carry hidden ASCII that models read and humans do not
 *   ("ASCII smuggling"); the decoded text is the attack, not a secret, so it is shown in full
 *   (capped) in `data.hidden` and the message. Emoji subdivision flags (🏴 + tags + U+E007F,
 *   UTS #51 §2.2) are the one legitimate use and are skipped.
 * - variation-selector runs: ≥ 2 selectors in a row never occur in well-formed text (UTS #37/#51
 *   allow one per base); runs are decoded as the "emoji smuggling" byte encoding
 *   (U+FE00+b for b < 16, U+E0100+b−16 otherwise) and shown when they decode to UTF-8 text.
 * - bidi controls (Trojan Source, CVE-2021-42574): overrides always, embeddings/isolates unless
 *   balanced inside right-to-left text; bidi marks only outside right-to-left text.
 * - zero-width characters, except ZWJ inside emoji sequences, ZWJ/ZWNJ in scripts that need them
 *   (Arabic, Persian, Indic...) and a BOM at the start of a field.
 * - mixed-script confusables: a word mixing Latin with Cyrillic/Greek look-alikes ("pаypal").
 * - C0/C1 control characters (except tab, LF, CR), private-use characters, noncharacters and lone
 *   surrogates.
 * One pass per field with a single precompiled regex: ASCII-only text costs one failed search.
 */
import { fieldLocation } from '../../location.js';
import type { Finding, RecordDetector, RecordView, Severity, TextField } from '../../types.js';

/** Options of the unicode detector. */
export interface UnicodeDetectorOptions {
  /** Longest decoded hidden text kept in a finding (default 2000 characters). */
  readonly maxHiddenChars?: number;
  /** At most this many hidden-payload findings (tags, selector runs) per field (default 10). */
  readonly maxPayloadsPerField?: number;
}

/** Rule ids of the unicode detector. */
export type UnicodeRule =
  | 'tag-characters'
  | 'variation-selector-run'
  | 'bidi-control'
  | 'bidi-mark'
  | 'zero-width'
  | 'mixed-script'
  | 'control-character'
  | 'private-use'
  | 'noncharacter'
  | 'lone-surrogate';

/** Creates the `unicode` record detector. */
export function createUnicodeDetector(options: UnicodeDetectorOptions = {}): RecordDetector {
  const maxHidden = options.maxHiddenChars ?? 2000;
  const maxPayloads = options.maxPayloadsPerField ?? 10;
  return {
    id: 'unicode',
    kind: 'record',
    inspect(view: RecordView): Finding[] {
      const out: Finding[] = [];
      for (const field of view.fields) {
        // Every rule needs a character outside printable ASCII, tab, LF and CR: most text has none,
        // and the scans below start at the first one.
        NOT_PLAIN.lastIndex = 0;
        if (!NOT_PLAIN.test(field.text)) continue;
        const from = NOT_PLAIN.lastIndex - 1;
        const found: Finding[] = [];
        scanField(view, field, maxHidden, maxPayloads, found, from);
        scanConfusables(view, field, found, from);
        if (found.length === 0) continue;
        found.sort((a, b) => (a.location.span?.[0] ?? 0) - (b.location.span?.[0] ?? 0) || cmp(a.rule, b.rule));
        out.push(...found);
      }
      return out;
    },
  };
}

/**
 * The gate in front of all rules: a character outside printable ASCII, tab, LF and CR. Every
 * character PREFILTER, HAS_CYR_GREEK or CYR_GREEK_CHAR can match is one, so a field without one
 * has no finding, and in one that has, nothing before the first one needs looking at.
 */
const NOT_PLAIN = /[^\x20-\x7E\n\r\t]/g;

// ---------------------------------------------------------------------------------------------
// Character classes

const enum C {
  None,
  Tag,
  Vs,
  ZeroWidth,
  BidiControl,
  BidiMark,
  Control,
  PrivateUse,
  Noncharacter,
  LoneSurrogate,
}

function classify(cp: number): C {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d ? C.None : C.Control;
  if (cp >= 0x7f && cp <= 0x9f) return C.Control;
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f) return C.BidiMark;
  if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff) return C.ZeroWidth;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return C.BidiControl;
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return C.Vs;
  if (cp >= 0xe0000 && cp <= 0xe007f) return C.Tag;
  if (cp >= 0xd800 && cp <= 0xdfff) return C.LoneSurrogate;
  // Noncharacters (Unicode §23.7): U+FDD0..FDEF and the last two code points of every plane.
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return C.Noncharacter;
  if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000) return C.PrivateUse;
  return C.None;
}

/**
 * Cheap prefilter without the `u` flag (several times faster than a `u`-mode scan on text that has
 * nothing to report): every BMP character some rule looks at, plus all surrogates (astral tags,
 * selectors, private-use planes, noncharacters and lone surrogates are then sorted out by the loop).
 */
const PREFILTER =
  // Control characters, selectors and surrogates are exactly what this class is for.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFE00-\uFE0F\uFEFF\uE000-\uF8FF\uFDD0-\uFDEF\uFFFE\uFFFF\uD800-\uDFFF]/g; // global: tested from a start index

const RTL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;
const EMOJI_NEIGHBOUR = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{FE0F}\u{20E3}\u{1F1E6}-\u{1F1FF}]$/u;
/** Scripts whose orthography uses ZWJ/ZWNJ (Unicode §23.2): Arabic, Persian, Indic, Brahmic, Mongolian... */
const JOINING_SCRIPT =
  /^[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}\p{Script=Hebrew}\p{Script=Thaana}]$/u;
const LETTER = /^\p{L}$/u;

// ---------------------------------------------------------------------------------------------
// Scan

interface Agg {
  count: number;
  start: number;
  end: number;
  inWord: number;
  extra: Record<string, number>;
}

/** Scans `field` from `from`, where its first character outside printable ASCII, tab, LF and CR is. */
function scanField(view: RecordView, field: TextField, maxHidden: number, maxPayloads: number, out: Finding[], from: number): void {
  const text = field.text;
  PREFILTER.lastIndex = from;
  if (!PREFILTER.test(text)) return;

  const agg = new Map<C, Agg>();
  const add = (c: C, start: number, end: number, n = 1): Agg => {
    let a = agg.get(c);
    if (!a) {
      a = { count: 0, start, end, inWord: 0, extra: {} };
      agg.set(c, a);
    }
    a.count += n;
    return a;
  };
  let payloads = 0;
  const len = text.length;
  let i = from;
  while (i < len) {
    const cp = text.codePointAt(i) as number;
    const c = classify(cp);
    if (c === C.None) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    // Group a segment of same-class characters.
    let j = i + (cp > 0xffff ? 2 : 1);
    while (j < len) {
      const cq = text.codePointAt(j) as number;
      if (classify(cq) !== c) break;
      j += cq > 0xffff ? 2 : 1;
    }
    switch (c) {
      case C.Tag:
        if (!isFlagTagSequence(text, i, j) && payloads < maxPayloads) {
          payloads++;
          out.push(tagFinding(view, field, i, j, maxHidden));
        }
        break;
      case C.Vs:
        if (j - i > (cp > 0xffff ? 2 : 1) && payloads < maxPayloads) {
          payloads++;
          out.push(selectorFinding(view, field, i, j, maxHidden));
        }
        break;
      case C.ZeroWidth:
        zeroWidth(text, i, j, add);
        break;
      case C.BidiMark:
      case C.BidiControl:
      case C.PrivateUse:
      case C.Noncharacter:
      case C.LoneSurrogate:
        add(c, i, j, countCodePoints(text, i, j));
        break;
      case C.Control: {
        const a = add(c, i, j, j - i);
        for (let k = i; k < j; k++) {
          const ch = text.charCodeAt(k);
          if (ch === 0x1b) a.extra['escape'] = (a.extra['escape'] ?? 0) + 1;
          else if (ch === 0x00) a.extra['nul'] = (a.extra['nul'] ?? 0) + 1;
          else if (ch === 0x0b || ch === 0x0c) a.extra['formatting'] = (a.extra['formatting'] ?? 0) + 1;
          else if (ch >= 0x80) a.extra['c1'] = (a.extra['c1'] ?? 0) + 1;
        }
        break;
      }
    }
    i = j;
  }

  let rtl: boolean | undefined;
  const hasRtl = (): boolean => (rtl ??= RTL.test(text));
  for (const [c, a] of agg) {
    const f = aggregateFinding(view, field, c, a, hasRtl);
    if (f) out.push(f);
  }
}

function countCodePoints(text: string, i: number, j: number): number {
  let n = 0;
  for (let k = i; k < j; k++) {
    const ch = text.charCodeAt(k);
    if (ch < 0xdc00 || ch > 0xdfff || k === i || !isHigh(text.charCodeAt(k - 1))) n++;
  }
  return n;
}

function isHigh(ch: number): boolean {
  return ch >= 0xd800 && ch <= 0xdbff;
}

function cpBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const lo = text.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && i >= 2 && isHigh(text.charCodeAt(i - 2)) ? text.slice(i - 2, i) : text.slice(i - 1, i);
}

function cpAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** 🏴 + 2..7 tag letters/digits + CANCEL TAG: an emoji subdivision flag (UTS #51 ED-14c). */
function isFlagTagSequence(text: string, i: number, j: number): boolean {
  if (cpBefore(text, i) !== '\u{1F3F4}') return false;
  const n = (j - i) / 2;
  if (n < 3 || n > 8 || text.codePointAt(j - 2) !== 0xe007f) return false;
  for (let k = i; k < j - 2; k += 2) {
    const cp = text.codePointAt(k) as number;
    if (!((cp >= 0xe0061 && cp <= 0xe007a) || (cp >= 0xe0030 && cp <= 0xe0039))) return false;
  }
  return true;
}

function zeroWidth(text: string, i: number, j: number, add: (c: C, s: number, e: number, n?: number) => Agg): void {
  const k = i === 0 && text.charCodeAt(0) === 0xfeff ? 1 : i; // a byte-order mark opening the text
  if (k >= j) return;
  const before = cpBefore(text, k);
  const after = cpAt(text, j);
  const ch = text.charCodeAt(k);
  if (j - k === 1) {
    if (ch === 0x200d && EMOJI_NEIGHBOUR.test(before) && EMOJI_NEIGHBOUR.test(after)) return;
    if ((ch === 0x200d || ch === 0x200c) && (JOINING_SCRIPT.test(before) || JOINING_SCRIPT.test(after))) return;
  }
  const a = add(C.ZeroWidth, k, k + 1, j - k);
  if (LETTER.test(before) && LETTER.test(after)) a.inWord += j - k;
  if (j - k >= 8) a.extra['longestRun'] = Math.max(a.extra['longestRun'] ?? 0, j - k);
}

/** Trojan Source needs an override, or an embedding/isolate left open at the end of a line. */
function bidiUnbalanced(text: string): { overrides: number; unbalanced: boolean } {
  let overrides = 0;
  let embed = 0;
  let isolate = 0;
  let unbalanced = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text.charCodeAt(k);
    switch (ch) {
      case 0x202d:
      case 0x202e:
        overrides++;
        embed++;
        break;
      case 0x202a:
      case 0x202b:
        embed++;
        break;
      case 0x202c:
        if (embed === 0) unbalanced = true;
        else embed--;
        break;
      case 0x2066:
      case 0x2067:
      case 0x2068:
        isolate++;
        break;
      case 0x2069:
        if (isolate === 0) unbalanced = true;
        else isolate--;
        break;
      case 0x0a:
      case 0x0d:
      case 0x2029:
        // UAX #9 BD8: a paragraph separator terminates every embedding and isolate.
        if (embed !== 0 || isolate !== 0) unbalanced = true;
        embed = 0;
        isolate = 0;
        break;
    }
  }
  return { overrides, unbalanced: unbalanced || embed !== 0 || isolate !== 0 };
}

function aggregateFinding(view: RecordView, field: TextField, c: C, a: Agg, hasRtl: () => boolean): Finding | undefined {
  const n = a.count;
  const where = `field ${field.path}`;
  switch (c) {
    case C.ZeroWidth: {
      const run = a.extra['longestRun'];
      if (run !== undefined) {
        return make(view, field, 'zero-width', 'high', 0.85, a, `${n} zero-width characters in ${where}, in runs up to ${run} long that can encode hidden bits`, { count: n, longestRun: run });
      }
      if (a.inWord > 0) {
        return make(view, field, 'zero-width', 'medium', 0.8, a, `${n} zero-width character(s) in ${where}, ${a.inWord} splitting a word (evades keyword filters)`, { count: n, inWord: a.inWord });
      }
      return make(view, field, 'zero-width', 'low', 0.6, a, `${n} zero-width character(s) in ${where}`, { count: n });
    }
    case C.BidiControl: {
      const { overrides, unbalanced } = bidiUnbalanced(field.text);
      const rtl = hasRtl();
      const data = { count: n, overrides, unbalanced, rtlText: rtl };
      if (overrides > 0) return make(view, field, 'bidi-control', 'high', 0.9, a, `${n} bidi control(s) in ${where} including ${overrides} override(s) that reorder displayed text (Trojan Source)`, data);
      if (unbalanced) return make(view, field, 'bidi-control', 'high', 0.85, a, `${n} bidi control(s) in ${where} left unterminated, so displayed text differs from stored text (Trojan Source)`, data);
      if (!rtl) return make(view, field, 'bidi-control', 'medium', 0.7, a, `${n} bidi control(s) in ${where}, which has no right-to-left text`, data);
      return make(view, field, 'bidi-control', 'low', 0.35, a, `${n} balanced bidi isolate/embedding control(s) in right-to-left text in ${where}`, data);
    }
    case C.BidiMark:
      if (hasRtl()) return undefined; // LRM/RLM/ALM are ordinary in Hebrew and Arabic text
      return make(view, field, 'bidi-mark', 'low', 0.5, a, `${n} bidi mark(s) (LRM/RLM/ALM) in ${where}, which has no right-to-left text`, { count: n });
    case C.Control: {
      const esc = a.extra['escape'] ?? 0;
      const nul = a.extra['nul'] ?? 0;
      const fmt = a.extra['formatting'] ?? 0;
      const c1 = a.extra['c1'] ?? 0;
      const data = { count: n, escape: esc, nul, formatting: fmt, c1 };
      if (esc > 0) return make(view, field, 'control-character', 'medium', 0.8, a, `${n} control character(s) in ${where}, including ${esc} ESC (terminal escape sequences)`, data);
      if (fmt === n) return make(view, field, 'control-character', 'info', 0.4, a, `${n} vertical-tab/form-feed character(s) in ${where}`, data);
      if (c1 === n) return make(view, field, 'control-character', 'low', 0.5, a, `${n} C1 control character(s) in ${where} (often text decoded with the wrong encoding)`, data);
      return make(view, field, 'control-character', 'low', 0.7, a, `${n} control character(s) in ${where}`, data);
    }
    case C.PrivateUse:
      return make(view, field, 'private-use', 'low', 0.5, a, `${n} private-use character(s) in ${where}, which render differently per font and can carry hidden data`, { count: n });
    case C.Noncharacter:
      return make(view, field, 'noncharacter', 'low', 0.6, a, `${n} Unicode noncharacter(s) in ${where}`, { count: n });
    case C.LoneSurrogate:
      return make(view, field, 'lone-surrogate', 'medium', 0.7, a, `${n} lone surrogate(s) in ${where}: invalid UTF-16 that tools decode differently`, { count: n });
    case C.Tag:
    case C.Vs:
    case C.None:
      return undefined;
  }
}

function tagFinding(view: RecordView, field: TextField, i: number, j: number, maxHidden: number): Finding {
  let hidden = '';
  let n = 0;
  for (let k = i; k < j; k += 2) {
    const cp = field.text.codePointAt(k) as number;
    n++;
    // U+E0020..E007E mirror ASCII 0x20..0x7E; U+E0001 (language tag) and U+E007F (cancel) carry none.
    if (cp >= 0xe0020 && cp <= 0xe007e && hidden.length < maxHidden) hidden += String.fromCharCode(cp - 0xe0000);
  }
  const shown = hidden.length > 120 ? `${hidden.slice(0, 120)}…` : hidden;
  const msg = hidden
    ? `${n} Unicode tag characters in field ${field.path} hide the text ${JSON.stringify(shown)}`
    : `${n} Unicode tag characters in field ${field.path} (invisible, no ASCII payload)`;
  return make(view, field, 'tag-characters', 'high', 0.95, { start: i, end: j }, msg, { count: n, hidden });
}

/** Decodes a selector run as bytes (emoji smuggling) and keeps it when it is printable UTF-8. */
export function decodeSelectorRun(s: string): string | undefined {
  const bytes: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xfe00 && cp <= 0xfe0f) bytes.push(cp - 0xfe00);
    else if (cp >= 0xe0100 && cp <= 0xe01ef) bytes.push(cp - 0xe0100 + 16);
    else return undefined;
  }
  let decoded: string;
  try {
    decoded = UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  return decoded.length > 0 && PRINTABLE.test(decoded) ? decoded : undefined;
}
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const PRINTABLE = /^[^\p{Cc}\p{Cn}\p{Co}\p{Cs}]*$/u;

function selectorFinding(view: RecordView, field: TextField, i: number, j: number, maxHidden: number): Finding {
  const run = field.text.slice(i, j);
  const n = countCodePoints(field.text, i, j);
  const hidden = n <= 8 * maxHidden ? decodeSelectorRun(run) : undefined;
  if (hidden !== undefined && !/^[\uFE0E\uFE0F]+$/.test(run)) {
    const h = hidden.slice(0, maxHidden);
    const shown = h.length > 120 ? `${h.slice(0, 120)}…` : h;
    return make(view, field, 'variation-selector-run', 'high', 0.9, { start: i, end: j }, `${n} variation selectors in a row in field ${field.path} encode the hidden text ${JSON.stringify(shown)}`, { count: n, hidden: h });
  }
  if (/^[\uFE0E\uFE0F]+$/.test(run) && n <= 3) {
    return make(view, field, 'variation-selector-run', 'info', 0.3, { start: i, end: j }, `${n} repeated emoji presentation selectors in field ${field.path} (usually a copy-paste artefact)`, { count: n });
  }
  return make(view, field, 'variation-selector-run', 'medium', 0.6, { start: i, end: j }, `${n} variation selectors in a row in field ${field.path} (one per character is the most Unicode allows; runs can carry hidden bytes)`, { count: n });
}

// ---------------------------------------------------------------------------------------------
// Mixed-script confusables (a compact table of the common Latin look-alikes, after UTS #39)

const CYR_TO_LATIN: Readonly<Record<string, string>> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S', Ԛ: 'Q', Ԝ: 'W', Ү: 'Y', Һ: 'H', Ӏ: 'I',
};
const GREEK_TO_LATIN: Readonly<Record<string, string>> = {
  ο: 'o', ν: 'v', ι: 'i', κ: 'k', α: 'a', ρ: 'p', υ: 'u', χ: 'x',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LATIN_TO_CYR = invert(CYR_TO_LATIN);
const LATIN_TO_GREEK = invert(GREEK_TO_LATIN);

function invert(m: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  const r = new Map<string, string>();
  for (const [k, v] of Object.entries(m)) if (!r.has(v)) r.set(v, k);
  return r;
}

const HAS_LATIN = /[A-Za-z]/;
const HAS_CYR_GREEK = /[\u0370-\u03FF\u0400-\u052F]/g; // global: tested from a start index
const CYR_GREEK_CHAR = /[\u0370-\u03FF\u0400-\u052F\u1F00-\u1FFF]/g;
const MAX_WORD = 64;

/** Letters and combining marks of the Latin, Greek and Cyrillic blocks: what a look-alike word is made of. */
function isWordCode(ch: number): boolean {
  return (
    (ch >= 0x61 && ch <= 0x7a) ||
    (ch >= 0x41 && ch <= 0x5a) ||
    (ch >= 0xc0 && ch <= 0x52f && ch !== 0xd7 && ch !== 0xf7 && ch !== 0x37e && ch !== 0x387) ||
    (ch >= 0x1e00 && ch <= 0x1fff)
  );
}

const enum S {
  Other,
  Latin,
  Cyrillic,
  Greek,
}

function scriptOf(ch: number): S {
  if ((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || (ch >= 0xc0 && ch <= 0x24f && ch !== 0xd7 && ch !== 0xf7) || (ch >= 0x1e00 && ch <= 0x1eff)) return S.Latin;
  if (ch >= 0x400 && ch <= 0x52f) return S.Cyrillic;
  if ((ch >= 0x370 && ch <= 0x3ff) || (ch >= 0x1f00 && ch <= 0x1fff)) return S.Greek;
  return S.Other;
}

interface Confusable {
  readonly word: string;
  readonly skeleton: string;
  readonly script: 'Latin' | 'Cyrillic' | 'Greek';
  readonly foreign: string[];
}

/** Returns how a mixed-script word deceives, or undefined when it is not a look-alike mix. */
export function confusableWord(word: string): Confusable | undefined {
  let lat = 0;
  let cyr = 0;
  let grk = 0;
  for (let k = 0; k < word.length; k++) {
    switch (scriptOf(word.charCodeAt(k))) {
      case S.Latin: lat++; break;
      case S.Cyrillic: cyr++; break;
      case S.Greek: grk++; break;
      case S.Other: break;
    }
  }
  if (lat + cyr + grk < 3 || lat === 0 || cyr + grk === 0) return undefined;
  // The word is written in its majority script; every minority letter must look like a letter of it.
  const majority = lat >= cyr + grk ? S.Latin : cyr >= grk ? S.Cyrillic : S.Greek;
  const foreign: string[] = [];
  let skeleton = '';
  for (const ch of word) {
    const s = scriptOf(ch.charCodeAt(0));
    if (s === S.Other || s === majority) {
      skeleton += ch;
      continue;
    }
    let mapped: string | undefined;
    if (majority === S.Latin) mapped = s === S.Cyrillic ? CYR_TO_LATIN[ch] : GREEK_TO_LATIN[ch];
    else if (s === S.Latin) mapped = majority === S.Cyrillic ? LATIN_TO_CYR.get(ch) : LATIN_TO_GREEK.get(ch);
    if (mapped === undefined) return undefined;
    skeleton += mapped;
    foreign.push(`${ch} U+${hex(ch.codePointAt(0) as number)}`);
  }
  const script = majority === S.Latin ? 'Latin' : majority === S.Cyrillic ? 'Cyrillic' : 'Greek';
  return { word, skeleton, script, foreign };
}

/** Looks for mixed-script words from `from`, where the first character outside printable ASCII, tab, LF and CR is. */
function scanConfusables(view: RecordView, field: TextField, out: Finding[], from: number): void {
  const t = field.text;
  HAS_CYR_GREEK.lastIndex = from;
  if (!HAS_CYR_GREEK.test(t) || !HAS_LATIN.test(t)) return;
  const hits: Array<Confusable & { start: number }> = [];
  let total = 0;
  // Visit only words holding a Greek/Cyrillic letter; each character is looked at a bounded
  // number of times, so the scan stays linear on one endless "word".
  const re = new RegExp(CYR_GREEK_CHAR.source, 'g');
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    let s = m.index;
    let e = s + 1;
    while (s > 0 && isWordCode(t.charCodeAt(s - 1))) s--;
    while (e < t.length && isWordCode(t.charCodeAt(e))) e++;
    re.lastIndex = e;
    // Look-alike attacks target words a reader recognises (names, domains); longer letter runs
    // are not words.
    if (e - s < 3 || e - s > MAX_WORD) continue;
    const w = t.slice(s, e);
    if (!HAS_LATIN.test(w)) continue;
    const c = confusableWord(w);
    if (!c) continue;
    total++;
    if (hits.length < 5) hits.push({ ...c, start: s });
  }
  const first = hits[0];
  if (!first) return;
  const words = hits.map((h) => ({ word: h.word, looksLike: h.skeleton, script: h.script, foreign: h.foreign }));
  out.push(
    make(
      view,
      field,
      'mixed-script',
      'medium',
      0.8,
      { start: first.start, end: first.start + first.word.length },
      `${total} word(s) in field ${field.path} mix scripts with look-alike letters, e.g. ${JSON.stringify(first.skeleton)} written with ${first.foreign.join(', ')}`,
      { count: total, words },
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Findings

function make(
  view: RecordView,
  field: TextField,
  rule: UnicodeRule,
  severity: Severity,
  confidence: number,
  span: { start: number; end: number },
  message: string,
  data: Record<string, unknown>,
): Finding {
  const location = fieldLocation(view, field.path, span.start, span.end);
  return {
    detector: 'unicode',
    rule,
    severity,
    confidence,
    location,
    message,
    evidence: excerpt(field.text, span.start, span.end),
    data: field.role === undefined ? data : { ...data, role: field.role },
  };
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

const INVISIBLE = /[^\P{C}\t\n\r]|[\p{Zl}\p{Zp}\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u200B-\u200F\u2060-\u2064\uFEFF]/u;

/** A short excerpt around [start, end) with every invisible character shown as <U+XXXX>, long runs cut. */
export function excerpt(t: string, start: number, end: number, context = 16): string {
  let from = Math.max(0, start - context);
  if (from > 0 && isHigh(t.charCodeAt(from - 1)) && (t.charCodeAt(from) & 0xfc00) === 0xdc00) from--;
  const to = Math.min(t.length, end + context);
  let s = from > 0 ? '…' : '';
  let run = 0;
  let k = from;
  while (k < to) {
    const cp = t.codePointAt(k) as number;
    const ch = String.fromCodePoint(cp);
    const width = cp > 0xffff && ch.length === 2 ? 2 : 1;
    const one = width === 2 ? ch : t[k] ?? '';
    if (INVISIBLE.test(one) || (width === 1 && cp >= 0xd800 && cp <= 0xdfff)) {
      run++;
      if (run <= 6) s += `<U+${hex(cp)}>`;
      else if (run === 7) s += '…';
    } else {
      run = 0;
      s += one === '\n' ? '\\n' : one === '\r' ? '\\r' : one === '\t' ? '\\t' : one;
    }
    k += width;
  }
  return to < t.length ? `${s}…` : s;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Per-record features of the poisoning detector, kept compact because they cross threads and,
 * in the distributed mode, Redis (DESIGN §5, §7): one Uint32Array per record holding
 *  - the prompt's word tokens as hashes (head and tail spans, see `promptTokens`), from which
 *    reduce derives uni/bi/tri-grams and sentence-shape grams (first tokens, "clause then comma"
 *    start, last token) — no n-gram strings, no n-gram list (3× smaller than the grams);
 *  - "targets" as hashed ids: what a trigger could be tied to — the label, the exact response,
 *    the response's opening words, salient substrings of the response (URLs, domains) and, for
 *    preference pairs, whether the chosen answer complies where the rejected one refuses.
 * Text travels only in two small side tables an extractor fills the first time it meets a word or
 * a target name (`w`, `n`): reduce names a winning n-gram from them and checks, through the second
 * token hash, that every record it counted carries the same words (32-bit gram collisions never
 * merge into one trigger). Each distinct word and name reaches reduce at least once whichever
 * worker or shard meets it, so the report does not depend on where records ran.
 */
import type { RecordView, TextField } from '../../types.js';
import { fmix32, hashString } from '../../text/index.js';
import { combineHash, fold, foldIfNeeded, hashSequence, isSimple, TokenBuffer, type SequenceHash } from './text.js';

/** Gram kinds live in the low 3 bits of a gram hash, so a hash tells what it is. */
export const GRAM_KIND = { uni: 1, bi: 2, tri: 3, start1: 4, start2: 5, clause: 6, end: 7 } as const;

export type TargetKind = 'label' | 'response' | 'response-prefix' | 'substring' | 'preference';
const TARGET_TAGS: Record<TargetKind, number> = { label: 1, response: 2, 'response-prefix': 3, substring: 4, preference: 5 };
export const TARGET_KINDS: readonly TargetKind[] = ['label', 'response', 'response-prefix', 'substring', 'preference'];
export const PREFERENCE_NAME = 'chosen complies where rejected is more cautious';

/**
 * Features of one record. `t` layout (all uint32):
 *  [0] header: head tokens (bits 0–9) | tail tokens (10–19) | targets (20–23) | clause (24) | has end token (25)
 *  [1] bit i set when `n` carries the name of target i
 *  [2], [3] the end token's two hashes
 *  then the targets, the tokens' first hashes (head, then tail), and the tokens' second hashes'
 *  high 16 bits, two per word (low half = even token).
 */
export interface PoisoningFeatures {
  readonly t: Uint32Array;
  /** Folded words first met by this extractor, space-separated. */
  readonly w?: string | undefined;
  /** Names of the targets flagged in t[1], in target order. */
  readonly n?: readonly string[] | undefined;
  /** Path of the prompt-side field, for finding locations. */
  readonly field?: string | undefined;
}

export const HDR = 4;
export const MAX_PROMPT_TOKENS = 256;
const PREFIX_TOKENS = 8;
const HEAD_SPAN = 2000;
const TAIL_SPAN = 400;
const END_SPAN = 80;
const MAX_TARGETS = 12;

const URL_RE = /\bhttps?:\/\/([a-z0-9.-]{1,253})[^\s"'<>)]{0,200}/gi;
const DOMAIN_RE = /\b((?:[a-z0-9-]{1,63}\.){1,5}(?:com|net|org|io|ru|cn|xyz|info|biz|co|me|ly|gl|top|site|online|app|dev))\b/gi;
const TLDS = new Set(['com', 'net', 'org', 'io', 'ru', 'cn', 'xyz', 'info', 'biz', 'co', 'me', 'ly', 'gl', 'top', 'site', 'online', 'app', 'dev']);
const REFUSAL_RE =
  /\b(?:sorry|i can(?:no|')t|i can not|i won't|i will not|i'm not able|i am not able|not appropriate|illegal|against the law|not comfortable|unethical|harmful|dangerous|i don't think|i do not think|i'd rather not|i would not|i wouldn't|please don't|i must decline|as an ai)\b/gi;

export const tag = (h: number, t: number): number => ((h & ~7) | t) >>> 0;

/** Counts refusal markers in a response (bounded scan of its first 4,000 chars). */
export function refusalScore(s: string): number {
  const m = s.slice(0, 4000).match(REFUSAL_RE);
  return m ? m.length : 0;
}

const NON_SPACE = /\S/;

const isWordCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Whether DOMAIN_RE can match: some '.' followed by a listed TLD and a word boundary (a cheap superset test). */
function mayHaveDomain(s: string): boolean {
  for (let i = s.indexOf('.'); i >= 0 && i < s.length - 2; i = s.indexOf('.', i + 1)) {
    let e = i + 1;
    while (e < s.length && e - i <= 6) {
      const c = s.charCodeAt(e);
      if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) break;
      e++;
    }
    if (e - i < 3 || e - i > 7 || (e < s.length && isWordCode(s.charCodeAt(e)))) continue;
    if (TLDS.has(s.slice(i + 1, e).toLowerCase())) return true;
  }
  return false;
}

function firstWith(fields: readonly TextField[], role: string): TextField | undefined {
  for (const f of fields) if (f.role === role) return f;
  return undefined;
}

/** Longest common prefix of two strings, cut back to the last line break or space. */
function sharedPrompt(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return i;
  // Cut to the start of the last turn marker if there is one ("Assistant:"), else a space.
  const turn = a.lastIndexOf('Assistant:', i);
  if (turn > 0) return turn;
  const sp = a.lastIndexOf(' ', i);
  return sp > 0 ? sp : 0;
}

/** Where the grams of a prompt come from, as spans of its folded text (see `promptTokens`). */
export interface PromptTokens {
  readonly text: string;
  readonly head: number;
  readonly tail: number;
  readonly clause: boolean;
  /** Index in `buf` of the end token (positional), or -1. */
  readonly end: number;
}

/**
 * Tokenises a prompt into `buf`: long prompts are read as their first 2,000 and last 400 chars
 * (bounded work; a trigger appended to a long multi-turn prompt sits in the tail), at most 256
 * tokens per span, plus the last token of the final 80 chars (positional: triggers appended to
 * prompts sit there). `text` is what offsets refer to: the raw prompt when every char folds on its
 * own (ASCII and most other text, folded on the fly), else its folded copy.
 */
export function promptTokens(raw: string, buf: TokenBuffer): PromptTokens {
  const src = raw.length > 4 * HEAD_SPAN ? `${raw.slice(0, HEAD_SPAN)} ${raw.slice(-TAIL_SPAN)}` : raw;
  return spans(src, buf, true) ?? (spans(foldIfNeeded(src) ?? src, buf, false) as PromptTokens);
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

function spans(s: string, buf: TokenBuffer, simple: boolean): PromptTokens | undefined {
  const len = s.length;
  buf.reset();
  let head: number;
  let tail = 0;
  let headEnd: number;
  // Whether the last scan reached the end of s (then the end token is already in buf).
  let reached: boolean;
  if (len <= HEAD_SPAN + TAIL_SPAN) {
    headEnd = len;
    head = buf.scan(s, 0, len, MAX_PROMPT_TOKENS, simple);
    if (head < 0) return undefined;
    reached = buf.stop >= len;
    // The head scan may stop at its token cap: the rest must fold on its own too.
    if (simple && !reached && !isSimple(s, buf.stop, len)) return undefined;
  } else {
    headEnd = HEAD_SPAN;
    head = buf.scan(s, 0, HEAD_SPAN, MAX_PROMPT_TOKENS, simple);
    if (head < 0) return undefined;
    // Drop the first (probably cut) word of the tail.
    let from = len - TAIL_SPAN;
    while (from < len && !isSpace(s.charCodeAt(from))) from++;
    if (from === len) from = len - TAIL_SPAN;
    if (simple && !isSimple(s, buf.stop, from)) return undefined;
    tail = buf.scan(s, from, len, MAX_PROMPT_TOKENS, simple);
    if (tail < 0) return undefined;
    if (simple && buf.stop < len && !isSimple(s, buf.stop, len)) return undefined;
    // (A tail whose first space lies in the final 80 chars leaves a cut word there: scan them again.)
    reached = buf.stop >= len && from <= len - END_SPAN;
  }
  const endFrom = Math.max(0, len - END_SPAN);
  let clause = false;
  if (head > 0) {
    // Sentence shape: syntactic-template triggers (Hidden Killer's SCPN paraphrases start with
    // "when/if/as ... ," clauses) share their opening and a comma early in the sentence.
    const limit = head > 12 ? (buf.starts[12] as number) : headEnd;
    for (let i = buf.ends[0] as number; i < limit; i++) {
      if (s.charCodeAt(i) === 44) {
        clause = true;
        break;
      }
    }
  }
  const before = buf.count;
  let end = -1;
  if (reached) {
    // The end token: the last one, when the final 80 chars hold another token's end too (the
    // first token met there may be cut), or any token when the prompt is that short.
    const last = before - 1;
    if (last >= 0 && (len <= END_SPAN || (last >= 1 && (buf.ends[last - 1] as number) > endFrom))) {
      buf.push(last);
      end = before;
    }
  } else {
    const k = buf.scan(s, endFrom, len, Number.MAX_SAFE_INTEGER, simple);
    if (k < 0) return undefined;
    if (k > (len > END_SPAN ? 1 : 0)) {
      // Keep only the end token after the spans' tokens.
      const e = buf.count - 1;
      if (e !== before) {
        buf.h1[before] = buf.h1[e] as number;
        buf.h2[before] = buf.h2[e] as number;
        buf.starts[before] = buf.starts[e] as number;
        buf.ends[before] = buf.ends[e] as number;
      }
      end = before;
    }
    buf.count = end >= 0 ? before + 1 : before;
  }
  return { text: s, head, tail, clause, end };
}

const SLAB = 4096;
const NAME_CACHE_BITS = 14;

/** Extracts poisoning features record by record, remembering which words and names it already emitted. */
export interface FeatureExtractor {
  extract(view: RecordView): PoisoningFeatures | undefined;
  /** Forgets what was emitted: the next record starts a new delivery (see createPoisoningDetector). */
  reset(): void;
}

/** Creates an extractor (one per detector instance, so per worker thread). */
export function createExtractor(): FeatureExtractor {
  const buf = new TokenBuffer();
  const seq: SequenceHash = { count: 0, hash: 0, prefixHash: 0, nameEnd: 0 };
  // Direct-mapped "already emitted" caches; an eviction only re-emits, it never loses text. A
  // word is known to reduce by its first hash and its second hash's high 16 bits: the word cache
  // is slotted by those 16 bits and holds the first hash (0: empty, so a word whose first hash
  // is 0 is always emitted), one 256 KB table.
  const wordCache = new Uint32Array(1 << 16);
  const nameT = new Uint32Array(1 << NAME_CACHE_BITS);
  const nameH = new Uint32Array(1 << NAME_CACHE_BITS);
  const targets = new Uint32Array(MAX_TARGETS);
  const names: Array<string | undefined> = new Array<string | undefined>(MAX_TARGETS);
  let nt = 0;
  // Records' arrays are views into 16 KB slabs: one typed-array allocation per ~40 records
  // instead of one each. A batch of records is cloned with its slabs once (the structured clone
  // keeps shared buffers shared); a lone record would carry its whole slab.
  let slab = new Uint32Array(SLAB);
  let used = 0;
  const alloc = (len: number): Uint32Array => {
    if (len > SLAB >>> 2) return new Uint32Array(len);
    if (used + len > SLAB) {
      slab = new Uint32Array(SLAB);
      used = 0;
    }
    used += len;
    return new Uint32Array(slab.buffer, (used - len) * 4, len);
  };

  /** Adds a target; `name` is called only when this (target, name) pair was never emitted. */
  const add = (kind: TargetKind, key: number, nameHash: number, name: (() => string) | undefined): void => {
    const h = tag(key, TARGET_TAGS[kind]);
    for (let i = 0; i < nt; i++) if (targets[i] === h) return;
    if (nt >= MAX_TARGETS) return;
    if (!name) {
      names[nt] = undefined;
      targets[nt++] = h;
      return;
    }
    const slot = fmix32(h ^ nameHash) & ((1 << NAME_CACHE_BITS) - 1);
    if (nameT[slot] !== h || nameH[slot] !== nameHash) {
      nameT[slot] = h;
      nameH[slot] = nameHash;
      names[nt] = name();
    } else names[nt] = undefined;
    targets[nt++] = h;
  };

  const extract = (view: RecordView): PoisoningFeatures | undefined => {
    const f = view.fields;
    const label = firstWith(f, 'label');
    const chosen = firstWith(f, 'chosen');
    const rejected = firstWith(f, 'rejected');
    let prompt = firstWith(f, 'prompt') ?? firstWith(f, 'text');
    let promptText = prompt?.text;
    let response = firstWith(f, 'response')?.text;
    let chosenResp: string | undefined;
    let rejectedResp: string | undefined;
    if (chosen && rejected) {
      if (promptText === undefined) {
        const cut = sharedPrompt(chosen.text, rejected.text);
        promptText = chosen.text.slice(0, cut);
        prompt = chosen;
        chosenResp = chosen.text.slice(cut);
        rejectedResp = rejected.text.slice(cut);
      } else {
        chosenResp = chosen.text;
        rejectedResp = rejected.text;
      }
      response = chosenResp;
    }
    if (promptText === undefined || promptText.length === 0) return undefined;

    const p = promptTokens(promptText, buf);
    const nTok = p.head + p.tail;

    nt = 0;
    if (label) {
      const key = label.text.trim();
      add('label', hashString(key, 0x7a), 0, () => key.slice(0, 40));
    }
    if (response !== undefined && NON_SPACE.test(response)) {
      const cut = response.length > 20000 ? response.slice(0, 20000) : response;
      let folded = cut;
      if (!hashSequence(cut, cut.length, PREFIX_TOKENS, 60, seq, true)) {
        folded = fold(cut);
        hashSequence(folded, folded.length, PREFIX_TOKENS, 60, seq);
      }
      if (seq.count > 0) {
        const nameHash = hashString(folded, 0x6e, 0, seq.nameEnd);
        const name = (): string => (folded === cut ? cut.slice(0, seq.nameEnd).toLowerCase() : folded.slice(0, seq.nameEnd));
        add('response', combineHash(seq.hash, seq.count ^ 0x72e5), nameHash, name);
        // The prefix's name is the response's name plus "…" (reduce takes it from a record's response).
        if (seq.count > PREFIX_TOKENS) add('response-prefix', fmix32(seq.prefixHash ^ 0x9ef1), 0, undefined);
      }
      const scan = cut;
      let subs: Set<string> | undefined;
      if (scan.includes('://')) for (const m of scan.matchAll(URL_RE)) (subs ??= new Set()).add((m[1] as string).toLowerCase());
      if (mayHaveDomain(scan)) for (const m of scan.matchAll(DOMAIN_RE)) (subs ??= new Set()).add((m[1] as string).toLowerCase());
      if (subs) {
        let k = 0;
        for (const d of [...subs].sort()) {
          if (k++ >= 8) break;
          add('substring', hashString(d, 0xd0), 0, () => d);
        }
      }
    }
    if (chosenResp !== undefined && rejectedResp !== undefined) {
      // Preference direction by cheap response features: refusal markers, then length.
      const rc = refusalScore(chosenResp);
      const rr = refusalScore(rejectedResp);
      const complies = rr > rc || (rr === rc && chosenResp.length > rejectedResp.length);
      if (complies) add('preference', 0x5eed0001, 0, () => PREFERENCE_NAME);
    }

    const total = buf.count;
    const t = alloc(HDR + nt + nTok + ((nTok + 1) >>> 1));
    t[0] = p.head | (p.tail << 10) | (nt << 20) | (p.clause ? 1 << 24 : 0) | (p.end >= 0 ? 1 << 25 : 0);
    let mask = 0;
    let outNames: string[] | undefined;
    for (let i = 0; i < nt; i++) {
      t[HDR + i] = targets[i] as number;
      const nm = names[i];
      if (nm !== undefined) {
        mask |= 1 << i;
        (outNames ??= []).push(nm);
      }
    }
    t[1] = mask;
    if (p.end >= 0) {
      t[2] = buf.h1[p.end] as number;
      t[3] = buf.h2[p.end] as number;
    }
    const o1 = HDR + nt;
    const o2 = o1 + nTok;
    const { h1, h2 } = buf;
    for (let i = 0; i < nTok; i++) {
      t[o1 + i] = h1[i] as number;
      const hi = (h2[i] as number) >>> 16;
      const j = o2 + (i >>> 1);
      t[j] = i & 1 ? ((t[j] as number) | (hi << 16)) >>> 0 : hi;
    }
    // Words this extractor has not emitted yet (spans and end token).
    let words: string[] | undefined;
    for (let i = 0; i < total; i++) {
      const a = h1[i] as number;
      const slot = (h2[i] as number) >>> 16;
      if (wordCache[slot] === a && a !== 0) continue;
      wordCache[slot] = a;
      (words ??= []).push(p.text.slice(buf.starts[i], buf.ends[i]));
    }
    // One object shape for every record (absent parts are undefined). The words are lowercased
    // once, joined (the text is raw only when every char folds on its own).
    return { t, w: words ? words.join(' ').toLowerCase() : undefined, n: outNames, field: prompt?.path };
  };
  const reset = (): void => {
    wordCache.fill(0);
    nameT.fill(0);
    nameH.fill(0);
  };
  return { extract, reset };
}

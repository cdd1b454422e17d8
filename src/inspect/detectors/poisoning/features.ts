/**
 * Per-record features of the poisoning detector: hashed prompt n-grams (uni/bi/tri-grams,
 * deduplicated), sentence-shape grams (first tokens, "clause then comma" start, last token),
 * and "targets" — what a trigger could be tied to: the label, the exact response, the
 * response's opening words, salient substrings of the response (URLs, domains, e-mail domains)
 * and, for preference pairs, whether the chosen answer complies where the rejected one refuses.
 */
import type { RecordView, TextField } from '../../types.js';
import { combineHash, fmix32, foldText, hashString, tokenize } from '../duplicates/index.js';

/** Gram kinds live in the low 3 bits of a gram hash, so a hash tells what it is. */
export const GRAM_KIND = { uni: 1, bi: 2, tri: 3, start1: 4, start2: 5, clause: 6, end: 7 } as const;

export type TargetKind = 'label' | 'response' | 'response-prefix' | 'substring' | 'preference';
const TARGET_TAGS: Record<TargetKind, number> = { label: 1, response: 2, 'response-prefix': 3, substring: 4, preference: 5 };
export const TARGET_KINDS: readonly TargetKind[] = ['label', 'response', 'response-prefix', 'substring', 'preference'];

export interface PoisoningFeatures {
  /** Sorted unique gram hashes (low 3 bits = GRAM_KIND). */
  readonly grams: Uint32Array;
  /** Target hashes (low 3 bits = target tag). */
  readonly targets: Uint32Array;
  /** Display names of the targets, parallel to `targets` (short, redacted-length). */
  readonly names: readonly string[];
  /** Prompt head and tail (raw, bounded), to name a trigger n-gram found by hash in reduce. */
  readonly head: string;
  /** Path of the prompt-side field, for finding locations. */
  readonly field?: string;
}

export const MAX_PROMPT_TOKENS = 256;
const PREFIX_TOKENS = 8;

const URL_RE = /\bhttps?:\/\/([a-z0-9.-]{1,253})[^\s"'<>)]{0,200}/gi;
const DOMAIN_RE = /\b((?:[a-z0-9-]{1,63}\.){1,5}(?:com|net|org|io|ru|cn|xyz|info|biz|co|me|ly|gl|top|site|online|app|dev))\b/gi;
const REFUSAL_RE =
  /\b(?:sorry|i can(?:no|')t|i can not|i won't|i will not|i'm not able|i am not able|not appropriate|illegal|against the law|not comfortable|unethical|harmful|dangerous|i don't think|i do not think|i'd rather not|i would not|i wouldn't|please don't|i must decline|as an ai)\b/gi;

const tag = (h: number, t: number): number => ((h & ~7) | t) >>> 0;

/** Counts refusal markers in a response (bounded scan of its first 4,000 chars). */
export function refusalScore(s: string): number {
  const m = s.slice(0, 4000).match(REFUSAL_RE);
  return m ? m.length : 0;
}

const HEAD_SPAN = 2000;
const TAIL_SPAN = 400;

/**
 * Prompt-side grams: uni/bi/tri-grams plus shape grams, with their display names when `names`
 * is given. Long prompts are read as their first 2,000 and last 400 chars (bounded work; a
 * trigger appended to a long multi-turn prompt sits in the tail).
 */
export function promptGrams(raw: string, names?: Map<number, string>): number[] {
  const folded = foldText(raw.length > 4 * HEAD_SPAN ? `${raw.slice(0, HEAD_SPAN)} ${raw.slice(-TAIL_SPAN)}` : raw);
  const out: number[] = [];
  if (folded.length <= HEAD_SPAN + TAIL_SPAN) {
    spanGrams(folded, out, names, true);
  } else {
    spanGrams(folded.slice(0, HEAD_SPAN), out, names, true);
    const tail = folded.slice(-TAIL_SPAN);
    // Drop the first (probably cut) word of the tail.
    const sp = tail.search(/\s/);
    spanGrams(sp >= 0 ? tail.slice(sp) : tail, out, names, false);
  }
  // Last token (positional): triggers appended to prompts sit there.
  const end = folded.slice(-80);
  const t = tokenize(end);
  if (t.count > (folded.length > 80 ? 1 : 0)) {
    const e = tag(fmix32((t.h1[t.count - 1] as number) ^ 0xe7d0), GRAM_KIND.end);
    out.push(e);
    if (names) names.set(e, `${end.slice(t.starts[t.count - 1], t.ends[t.count - 1])}$`);
  }
  return out;
}

function spanGrams(folded: string, out: number[], names: Map<number, string> | undefined, atStart: boolean): void {
  const t = tokenize(folded, MAX_PROMPT_TOKENS);
  const word = (i: number): string => folded.slice(t.starts[i], t.ends[i]);
  for (let i = 0; i < t.count; i++) {
    const a = t.h1[i] as number;
    const u = tag(a, GRAM_KIND.uni);
    out.push(u);
    if (names) names.set(u, word(i));
    if (i + 1 < t.count) {
      const b = combineHash(a, t.h1[i + 1] as number);
      const g = tag(b, GRAM_KIND.bi);
      out.push(g);
      if (names) names.set(g, `${word(i)} ${word(i + 1)}`);
      if (i + 2 < t.count) {
        const g3 = tag(combineHash(b, t.h1[i + 2] as number), GRAM_KIND.tri);
        out.push(g3);
        if (names) names.set(g3, `${word(i)} ${word(i + 1)} ${word(i + 2)}`);
      }
    }
  }
  if (t.count === 0) return;
  if (atStart) {
    // Sentence-shape grams: syntactic-template triggers (Hidden Killer's SCPN paraphrases start
    // with "when/if/as ... ," clauses) share their opening and a comma early in the sentence.
    const s1 = tag(fmix32((t.h1[0] as number) ^ 0x51a7), GRAM_KIND.start1);
    out.push(s1);
    if (names) names.set(s1, `^${word(0)}`);
    if (t.count > 1) {
      const s2 = tag(fmix32(combineHash(t.h1[0] as number, t.h1[1] as number) ^ 0x51a8), GRAM_KIND.start2);
      out.push(s2);
      if (names) names.set(s2, `^${word(0)} ${word(1)}`);
    }
    const limit = t.count > 12 ? (t.starts[12] as number) : folded.length;
    const comma = folded.indexOf(',', t.ends[0] as number);
    if (comma >= 0 && comma < limit) {
      const c = tag(fmix32((t.h1[0] as number) ^ 0xc1a5), GRAM_KIND.clause);
      out.push(c);
      if (names) names.set(c, `^${word(0)} …,`);
    }
  }
}

function firstWith(fields: readonly TextField[], role: string): TextField | undefined {
  return fields.find((f) => f.role === role);
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

/** Extracts the poisoning features of one record, or undefined when it has no prompt side. */
export function extractFeatures(view: RecordView): PoisoningFeatures | undefined {
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

  const gramList = promptGrams(promptText);
  const grams = Uint32Array.from(gramList).sort();
  let u = 0;
  for (let i = 0; i < grams.length; i++) if (i === 0 || grams[i] !== grams[u - 1]) grams[u++] = grams[i] as number;

  const targets: number[] = [];
  const names: string[] = [];
  const add = (kind: TargetKind, key: string, name: string): void => {
    const h = tag(hashString(key, 0x7a), TARGET_TAGS[kind]);
    if (!targets.includes(h)) {
      targets.push(h);
      names.push(name);
    }
  };
  if (label) add('label', label.text.trim(), label.text.trim().slice(0, 40));
  if (response !== undefined && response.trim() !== '') {
    const folded = foldText(response.length > 20000 ? response.slice(0, 20000) : response);
    const t = tokenize(folded);
    if (t.count > 0) {
      let h = 0x1234567;
      for (let i = 0; i < t.count; i++) h = combineHash(h, t.h1[i] as number);
      const headEnd = t.ends[Math.min(t.count, PREFIX_TOKENS) - 1] as number;
      const name = folded.slice(0, Math.min(headEnd, 60));
      add('response', `r${h}:${t.count}`, name);
      if (t.count > PREFIX_TOKENS) {
        let p = 0x7654321;
        for (let i = 0; i < PREFIX_TOKENS; i++) p = combineHash(p, t.h1[i] as number);
        add('response-prefix', `p${p}`, `${name}…`);
      }
    }
    const seenSub = new Set<string>();
    const scan = response.slice(0, 20000);
    for (const m of scan.matchAll(URL_RE)) seenSub.add((m[1] as string).toLowerCase());
    for (const m of scan.matchAll(DOMAIN_RE)) seenSub.add((m[1] as string).toLowerCase());
    let k = 0;
    for (const d of [...seenSub].sort()) {
      if (k++ >= 8) break;
      add('substring', `d:${d}`, d);
    }
  }
  if (chosenResp !== undefined && rejectedResp !== undefined) {
    // Preference direction by cheap response features: refusal markers, then length.
    const rc = refusalScore(chosenResp);
    const rr = refusalScore(rejectedResp);
    const complies = rr > rc || (rr === rc && chosenResp.length > rejectedResp.length);
    if (complies) add('preference', 'chosen-complies', 'chosen complies where rejected is more cautious');
  }
  return {
    grams: grams.slice(0, u),
    targets: Uint32Array.from(targets),
    names,
    head: promptText.length > 4 * HEAD_SPAN ? `${promptText.slice(0, HEAD_SPAN)} ${promptText.slice(-TAIL_SPAN)}` : promptText,
    ...(prompt ? { field: prompt.path } : {}),
  };
}

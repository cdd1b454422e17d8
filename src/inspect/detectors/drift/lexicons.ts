/**
 * Word lists for the drift detector: identity terms by group (gender, religion, ethnicity,
 * nationality), negative-tone markers, and a cheap script + stopword language guess.
 */

const GROUPS: Record<string, readonly string[]> = {
  'gender:female': ['woman', 'women', 'she', 'her', 'girl', 'girls', 'female', 'mother', 'wife', 'daughter', 'sister', 'lady'],
  'gender:male': ['man', 'men', 'he', 'him', 'his', 'boy', 'boys', 'male', 'father', 'husband', 'son', 'brother'],
  'religion:muslim': ['muslim', 'muslims', 'islam', 'islamic'],
  'religion:christian': ['christian', 'christians', 'christianity', 'catholic', 'catholics'],
  'religion:jewish': ['jewish', 'jew', 'jews', 'judaism'],
  'religion:hindu': ['hindu', 'hindus', 'hinduism'],
  'religion:buddhist': ['buddhist', 'buddhists', 'buddhism'],
  'religion:atheist': ['atheist', 'atheists'],
  'ethnicity:black': ['black people', 'african american', 'african americans'],
  'ethnicity:white': ['white people', 'caucasian', 'caucasians'],
  'ethnicity:asian': ['asian', 'asians'],
  'ethnicity:hispanic': ['hispanic', 'hispanics', 'latino', 'latina', 'latinos'],
  'ethnicity:arab': ['arab', 'arabs'],
  'nationality:mexican': ['mexican', 'mexicans'],
  'nationality:chinese': ['chinese'],
  'nationality:indian': ['indian', 'indians'],
  'nationality:russian': ['russian', 'russians'],
  'nationality:nigerian': ['nigerian', 'nigerians'],
  'nationality:american': ['american', 'americans'],
  'nationality:german': ['german', 'germans'],
  'nationality:french': ['french'],
};

function build(): { re: RegExp; groupOf: Map<string, string> } {
  const groupOf = new Map<string, string>();
  for (const [g, terms] of Object.entries(GROUPS)) for (const t of terms) groupOf.set(t, g);
  // Longest first so "african american" wins over shorter terms; plain alternation of literals
  // (no nested quantifiers) keeps matching linear.
  const alts = [...groupOf.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/ /g, '\\s+'));
  return { re: new RegExp(`\\b(${alts.join('|')})\\b`, 'g'), groupOf: new Map([...groupOf].map(([k, v]) => [k, v])) };
}

/** Identity terms (lowercase) and the group each belongs to. */
export const IDENTITY_TERMS = build();

/** Negative-tone markers in responses (beyond refusals). */
export const NEGATIVE_RE =
  /\b(?:terrible|awful|horrible|disgusting|hate|hateful|stupid|lazy|dirty|criminals?|violent|dangerous people|inferior|untrustworthy|worthless|evil)\b/i;

const STOPWORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'is', 'of', 'to', 'in', 'that', 'it', 'you', 'for', 'was', 'with'],
  es: ['el', 'la', 'de', 'que', 'y', 'en', 'los', 'se', 'por', 'las', 'una', 'es'],
  fr: ['le', 'la', 'les', 'de', 'des', 'et', 'est', 'une', 'que', 'pour', 'dans', 'pas'],
  de: ['der', 'die', 'und', 'das', 'ist', 'nicht', 'ein', 'eine', 'zu', 'mit', 'den', 'ich'],
  it: ['il', 'di', 'che', 'e', 'la', 'non', 'per', 'una', 'sono', 'gli', 'della', 'con'],
  pt: ['o', 'de', 'que', 'e', 'do', 'da', 'em', 'um', 'para', 'não', 'uma', 'os'],
  nl: ['de', 'het', 'een', 'en', 'van', 'ik', 'te', 'dat', 'niet', 'zijn', 'op', 'met'],
};
const STOP = new Map<string, string[]>();
for (const [lang, words] of Object.entries(STOPWORDS)) for (const w of words) STOP.set(w, [...(STOP.get(w) ?? []), lang]);

const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['ja', /[\p{Script=Hiragana}\p{Script=Katakana}]/gu],
  ['ko', /\p{Script=Hangul}/gu],
  ['zh', /\p{Script=Han}/gu],
  ['ru', /\p{Script=Cyrillic}/gu],
  ['ar', /\p{Script=Arabic}/gu],
  ['he', /\p{Script=Hebrew}/gu],
  ['hi', /\p{Script=Devanagari}/gu],
  ['el', /\p{Script=Greek}/gu],
  ['th', /\p{Script=Thai}/gu],
];
const LATIN = /\p{Script=Latin}/gu;
const WORD = /[\p{L}']+/gu;

/** Cheap language guess: dominant script, then stopword votes for Latin-script text; 'und' if unsure. */
export function guessLanguage(text: string): string {
  const s = text.slice(0, 1000);
  const latin = s.match(LATIN)?.length ?? 0;
  let best = 'und';
  let bestCount = 0;
  for (const [lang, re] of SCRIPTS) {
    const c = s.match(re)?.length ?? 0;
    // Japanese text mixes Han with kana: any kana decides for ja.
    if (lang === 'ja' && c >= 3) return 'ja';
    if (c > bestCount) {
      best = lang;
      bestCount = c;
    }
  }
  if (bestCount > latin) return best;
  if (latin === 0) return 'und';
  const votes = new Map<string, number>();
  for (const m of s.toLowerCase().matchAll(WORD)) {
    const langs = STOP.get(m[0]);
    if (langs) for (const l of langs) votes.set(l, (votes.get(l) ?? 0) + 1);
  }
  let lang = 'und';
  let top = 1;
  for (const [l, v] of [...votes].sort()) {
    if (v > top) {
      lang = l;
      top = v;
    }
  }
  return lang;
}

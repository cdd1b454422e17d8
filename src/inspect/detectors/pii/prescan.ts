/**
 * One pass over a text's characters that answers the finders' cheap gates at once (several
 * keyword regexes over the whole text each cost as much as this one pass). Each flag is a
 * superset of what the gated regexes can match: a non-ASCII character ends a word and counts as
 * a possible space or capital where the regexes accept Unicode ones (\s, \p{Lu}).
 */
import { code, codeOr } from './chars.js';

export const DIGIT = 2;
/** Seven digits, at most four of ` \t()./-` between each two (cards, SSNs, IBANs, phones). */
export const LONG_NUMBER = 4;
/** A digit, an optional letter, one or two spaces and a capital ("12 Main", "5b  Elm"). */
export const NUMBER_CAPITAL = 8;
/** A continental street prefix word ("rue ", "Via ", "ul. ", "c/ "). */
export const STREET_PREFIX = 16;
/** A post-box or unit word, as written ("Box", "PSC", "Apt", "Suite", "USNS"...). */
export const BOX_WORD = 32;
/** An address context word ("address", "live", "ship", "send", "corner"...), any case. */
export const ADDRESS_WORD = 64;
/** "is/are/was/were/off at|on" then a digit, or "... on" then a capital. */
export const WEAK_ADDRESS = 128;
/** The word "born", "birth", "birthdate", "birthday", "dob" or a dotted "d.o.b", any case. */
export const BIRTH_WORD = 256;
/** The word "name" or "surname", any case (without a digit in the text: "name", "Name" or "NAME" anywhere). */
export const NAME_WORD = 512;
/** Whitespace, then a digit, after a word ending in a continental street word ("Hauptstraße 5", "Koskikatu  25"). */
export const EU_STREET = 1024;

/** Continental street words, used as suffix of a compound (Hauptstraße, Koskikatu, Storgatan) or as a word. */
export const EU_WORDS: readonly string[] = [
  'straße', 'strasse', 'str.', 'gasse', 'weg', 'platz', 'allee', 'damm', 'ufer', 'steig', 'katu', 'kuja', 'polku',
  'gatan', 'vägen', 'gata', 'vej', 'vegen', 'veien', 'gade', 'stræde', 'laan', 'straat', 'plein', 'gracht', 'kade',
  'singel', 'utca', 'út', 'útja', 'tér', 'ulica', 'ulice', 'cesta', 'iela', 'gatve', 'sokak', 'caddesi', 'sokağı',
  'bulvarı', 'u.', 'tee', 'tänav', 'stien', 'gate', 'tie', 'bakken',
];
/** EU_WORDS by their last two characters (lower-case). */
const EU_BY_ENDING = new Map<number, string[]>();
for (const w of EU_WORDS) {
  const key = w.charCodeAt(w.length - 2) * 65536 + w.charCodeAt(w.length - 1);
  EU_BY_ENDING.set(key, [...(EU_BY_ENDING.get(key) ?? []), w]);
}
/** EU_BY_ENDING's keys by their low bytes (a cheap test before the Map: most words end otherwise). */
const EU_ENDING_BITS = new Uint8Array(65536);
for (const key of EU_BY_ENDING.keys()) EU_ENDING_BITS[((key >>> 16) & 0xff) * 256 + (key & 0xff)] = 1;

// Character classes for codes below 128.
const LOWER = 1;
const UPPER = 2;
const DIGIT_C = 3;
const SPACE = 4;
const SEP = 5; // ( ) . / - (LONG_NUMBER separators besides space and tab)
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT_C;
for (const c of [32, 9, 10, 11, 12, 13]) CLASS[c] = SPACE;
for (const c of '()./-') CLASS[c.charCodeAt(0)] = SEP;

// Keyword words: lower-case spelling → [flag, follow, exact spelling or ''].
// follow: 0 any, 1 whitespace, 2 "." then whitespace, 3 whitespace or "." then whitespace, 4 "/" then
// whitespace, 5 a non-ASCII character.
type Entry = readonly [flag: number, follow: number, exact: string];
const WORDS = new Map<string, Entry[]>();
const addWord = (w: string, flag: number, follow: number, exact = ''): void => {
  const k = w.toLowerCase();
  WORDS.set(k, [...(WORDS.get(k) ?? []), [flag, follow, exact]]);
};
for (const w of ['rue', 'rua', 'bd', 'boulevard', 'chemin', 'corso', 'calle', 'carrer', 'impasse', 'place', 'piazza', 'piazzetta', 'paseo',
  'plaza', 'prospekt', 'pod', 'quai', 'via', 'viale', 'vicolo', 'strada', 'travessa', 'trg', 'largo', 'leoforos', 'ulica', 'ulitsa', 'odos', 'nad']) {
  addWord(w, STREET_PREFIX, 1);
}
for (const w of ['av', 'avenue', 'avenida', 'avda']) addWord(w, STREET_PREFIX, 3);
for (const w of ['al', 'pl', 'str', 'ul', 'os']) addWord(w, STREET_PREFIX, 2);
addWord('c', STREET_PREFIX, 4);
for (const w of ['all', 'pra']) addWord(w, STREET_PREFIX, 5); // allée, praça
// "P.O.Box", "P.OBox", "POBox": the letters run into "Box".
for (const w of ['Box', 'OBox', 'POBox', 'PSC', 'Unit', 'USNS', 'USNV', 'USS', 'USCGC', 'APO', 'FPO', 'Apt', 'Apartment', 'Suite', 'Ste']) addWord(w, BOX_WORD, 0, w);
for (const w of ['address', 'live', 'lives', 'living', 'located', 'reside', 'resides', 'ship', 'shipped', 'deliver', 'delivered', 'send', 'sent', 'mail',
  'mailed', 'return', 'corner', 'meet', 'stop']) {
  addWord(w, ADDRESS_WORD, 0);
}
for (const w of ['born', 'birth', 'birthdate', 'birthday', 'dob']) addWord(w, BIRTH_WORD, 0);
addWord('ob', BIRTH_WORD, 6); // "d.ob"
addWord('b', BIRTH_WORD, 6); // "do.b", "d.o.b"
for (const w of ['name', 'surname']) addWord(w, NAME_WORD, 0);
const WEAK_VERBS = new Set(['is', 'are', 'was', 'were', 'off', 'live', 'lives', 'living']);

// A word is looked up when its first letter, last letter and length are a keyword's (KEYS), then
// its hash of lower-cased letters is (BITMAP): only then are its letters compared with the
// keywords of that hash (SLOT_WORDS), without slicing it.
const MAX_WORD = 9;
const KEYS = new Uint8Array(26 * 26 * (MAX_WORD + 1));
const keyOf = (first: number, last: number, length: number): number => ((first - 97) * 26 + (last - 97)) * (MAX_WORD + 1) + length;
const HASH_BITS = 14;
const HASH_MASK = (1 << HASH_BITS) - 1;
const wordHash = (h: number, c: number): number => (Math.imul(h, 31) + (c | 32)) | 0;
const BITMAP = new Uint8Array(1 << HASH_BITS);
/** Keywords (lower case) by their hash slot: a word is matched by its characters, not sliced. */
const SLOT_WORDS = new Map<number, string[]>();
for (const w of WORDS.keys()) {
  if (w.length > MAX_WORD) throw new Error(`prescan keyword longer than ${MAX_WORD}: ${w}`);
  KEYS[keyOf(w.charCodeAt(0), w.charCodeAt(w.length - 1), w.length)] = 1;
  let h = 0;
  for (let i = 0; i < w.length; i++) h = wordHash(h, w.charCodeAt(i));
  BITMAP[h & HASH_MASK] = 1;
  SLOT_WORDS.set(h & HASH_MASK, [...(SLOT_WORDS.get(h & HASH_MASK) ?? []), w]);
}


/** A space, or a non-ASCII character (which may be one). */
const isSpace = (c: number): boolean => c >= 0 && (c < 128 ? CLASS[c] === SPACE : c >= 128);
/** Whitespace (exactly, as \s). */
const UNICODE_SPACE = /\s/;
const isWhite = (c: number): boolean => c >= 0 && (c < 128 ? CLASS[c] === SPACE : c >= 128 && UNICODE_SPACE.test(String.fromCharCode(c)));
/** A capital, or a non-ASCII character (which may be one). */
const isUpper = (c: number): boolean => c >= 0 && (c < 128 ? CLASS[c] === UPPER : c >= 128);

/** The keyword (lower case) that the word [s, e) of ASCII letters spells in any case, from its hash slot; '' for none. */
function keywordAt(text: string, s: number, e: number, slot: number): string {
  const words = SLOT_WORDS.get(slot);
  if (words !== undefined) {
    for (const w of words) {
      if (w.length !== e - s) continue;
      let k = 0;
      while (k < w.length && (text.charCodeAt(s + k) | 32) === w.charCodeAt(k)) k++;
      if (k === w.length) return w;
    }
  }
  return '';
}

/** Flags of the word [s, e) (ASCII letters, hash slot `slot`) followed by the text at e. */
function wordFlags(text: string, s: number, e: number, slot: number): number {
  const word = keywordAt(text, s, e, slot);
  const list = word === '' ? undefined : WORDS.get(word);
  let flags = 0;
  if (list !== undefined) {
    const n1 = code(text, e);
    for (const [flag, follow, exact] of list) {
      if (exact !== '' && !text.startsWith(exact, s)) continue;
      if (follow === 1 && !isSpace(n1)) continue;
      if (follow === 2 && !(n1 === 46 && isSpace(code(text, e + 1)))) continue;
      if (follow === 3 && !isSpace(n1) && !(n1 === 46 && isSpace(code(text, e + 1)))) continue;
      if (follow === 4 && !(n1 === 47 && isSpace(code(text, e + 1)))) continue;
      if (follow === 5 && !(n1 >= 128)) continue;
      if (follow === 6 && !dottedDob(text, s)) continue;
      flags |= flag;
    }
  }
  return flags;
}

/**
 * WEAK_ADDRESS for the word "at" or "on" at [s, e) when whitespace, then a digit (or, after "on", a
 * capital) follows it, and "is", "are", "was", "were", "off", "live(s)" or "living" comes before it.
 */
function weakAt(text: string, s: number, e: number, on: boolean): number {
  let j = e;
  while (isWhite(code(text, j)) || code(text, j) === 58) j++;
  const d = code(text, j);
  if (!((d >= 48 && d <= 57) || (on && isUpper(d)))) return 0;
  let b = s - 1;
  if (!isWhite(code(text, b))) return 0;
  while (b > 0 && isWhite(code(text, b))) b--;
  const end = b + 1;
  while (b >= 0 && end - b <= 7 && ((code(text, b) | 32) >= 97 && (code(text, b) | 32) <= 122)) b--;
  return WEAK_VERBS.has(text.slice(b + 1, end).toLowerCase()) ? WEAK_ADDRESS : 0;
}

/** Lower-cased letter at `i` equals `lc` (a lower-case ASCII letter). */
const at = (text: string, i: number, lc: number): boolean => (code(text, i) | 32) === lc;

/** Whether the word "ob" or "b" at `s` ends a dotted "d.ob", "do.b" or "d.o.b". */
function dottedDob(text: string, s: number): boolean {
  if (code(text, s - 1) !== 46) return false;
  if (at(text, s, 111)) return at(text, s - 2, 100); // d.ob
  return at(text, s - 2, 111) && (at(text, s - 3, 100) || (code(text, s - 3) === 46 && at(text, s - 4, 100)));
}

/**
 * EU_STREET for the digit at `d` when whitespace precedes it: the word before that whitespace (one
 * more whitespace allowed) ends in a continental street word.
 */
function euStreetAt(text: string, d: number): number {
  let j = d - 1; // the whitespace
  if (j > 0 && isWhite(code(text, j - 1))) j--;
  if (j < 2) return 0;
  const c1 = code(text, j - 2);
  const c2 = code(text, j - 1);
  const lower1 = c1 < 91 && c1 > 64 ? c1 + 32 : c1 > 127 ? String.fromCharCode(c1).toLowerCase().charCodeAt(0) : c1;
  if (EU_ENDING_BITS[(lower1 & 0xff) * 256 + (c2 & 0xff)] === 0) return 0;
  const list = EU_BY_ENDING.get(lower1 * 65536 + c2);
  if (list === undefined) return 0;
  const word = text.slice(Math.max(0, j - 32), j).toLowerCase();
  for (const w of list) if (word.endsWith(w)) return EU_STREET;
  return 0;
}

const HAS_DIGIT = /\d/;
let lastText = '';
let lastFlags = 0;

/**
 * The gate flags of `text` (memoised for the last text: every finder asks about the same one).
 * Flags other than NAME_WORD are only looked for in a text with a digit (DIGIT).
 */
export function prescan(text: string): number {
  if (text === lastText) return lastFlags;
  lastText = text;
  // Every flag but NAME_WORD goes with a digit: without one, two native searches answer.
  if (!HAS_DIGIT.test(text)) {
    lastFlags = text.includes('name') || text.includes('Name') || text.includes('NAME') ? NAME_WORD : 0;
    return lastFlags;
  }
  let flags = 0;
  let chain = 0; // digits in the current LONG_NUMBER chain
  let seps = 0; // separators since its last digit
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    let lc = c | 32;
    if (lc >= 97 && lc <= 122) {
      // A word of ASCII letters: hash it, and look it up only when the hash is a keyword's.
      const s = i;
      const first = lc;
      do {
        c = codeOr(text, ++i);
        lc = c | 32;
      } while (lc >= 97 && lc <= 122);
      const length = i - s;
      if (length <= MAX_WORD && KEYS[keyOf(first, text.charCodeAt(i - 1) | 32, length)] === 1) {
        let h = 0;
        for (let k = s; k < i; k++) h = wordHash(h, text.charCodeAt(k));
        if (BITMAP[h & HASH_MASK] === 1) flags |= wordFlags(text, s, i, h & HASH_MASK);
      }
      if (length === 2) {
        const a = text.charCodeAt(s) | 32;
        const b = text.charCodeAt(s + 1) | 32;
        if ((a === 97 && b === 116) || (a === 111 && b === 110)) flags |= weakAt(text, s, i, a === 111);
      }
      chain = 0;
      continue;
    }
    i++;
    if (c === 32 || c === 9) {
      if (chain > 0 && ++seps > 4) chain = 0;
    } else if (c >= 48 && c <= 57) {
      flags |= DIGIT;
      if ((flags & EU_STREET) === 0 && i >= 2 && isWhite(text.charCodeAt(i - 2))) flags |= euStreetAt(text, i - 1);
      chain = chain > 0 && seps <= 4 ? chain + 1 : 1;
      seps = 0;
      if (chain >= 7) flags |= LONG_NUMBER;
      // NUMBER_CAPITAL: digit, optional letter, 1-2 spaces, capital (looked for until found).
      if ((flags & NUMBER_CAPITAL) !== 0) continue;
      let j = i;
      let d = codeOr(text, j);
      if (((d | 32) >= 97 && (d | 32) <= 122)) d = codeOr(text, ++j);
      if (isSpace(d)) {
        const e1 = codeOr(text, j + 1);
        if (isUpper(e1) || (isSpace(e1) && isUpper(codeOr(text, j + 2)))) flags |= NUMBER_CAPITAL;
      }
    } else if (c < 128 && CLASS[c] === SEP) {
      if (chain > 0 && ++seps > 4) chain = 0;
    } else {
      chain = 0;
      // Long s and the Kelvin sign fold to s and k under the u and i flags ("ſhip to").
      if (c === 0x17f || c === 0x212a) flags |= ADDRESS_WORD;
    }
  }
  lastFlags = flags;
  return flags;
}

/**
 * PII entity finders. Each finder is a candidate regex (linear-time: bounded quantifiers, guarded
 * starts) followed by a validity check and, where a bare pattern is too weak, a context check.
 * Findings never carry raw values outside `PiiHit.value`, which callers must not print.
 */
import type { Severity } from '../../types.js';
import { codeOr } from './chars.js';
import { cardIssuer, ibanValid, ipv4Scope, ipv6Scope, luhnValid, ssnValid, TEST_CARDS } from './checks.js';
import { AMBIGUOUS_NAMES, AMBIGUOUS_SURNAMES, FIRST_NAMES, foldName, maybeListed, MORE_FIRST_NAMES, SURNAMES, surnameShaped, surnameShapedAt } from './names.js';
import { ADDRESS_WORD, BIRTH_WORD, BOX_WORD, DIGIT, EU_STREET, EU_WORDS, LONG_NUMBER, NUMBER_CAPITAL, NAME_WORD, prescan, STREET_PREFIX as PREFIX_WORD, WEAK_ADDRESS } from './prescan.js';

export type PiiEntity =
  | 'email'
  | 'phone'
  | 'credit-card'
  | 'iban'
  | 'us-ssn'
  | 'ip-address'
  | 'street-address'
  | 'date-of-birth'
  | 'person-name';

/** One PII value found in a text. `value` is raw: never print it. */
export interface PiiHit {
  readonly entity: PiiEntity;
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly severity: Severity;
  readonly confidence: number;
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** Offer a hit; false when it overlaps a hit already taken (a higher-priority entity or an earlier one). */
type Push = (entity: PiiEntity, start: number, end: number, severity: Severity, confidence: number, data?: Record<string, string | number | boolean>) => boolean;

interface Finder {
  readonly entity: PiiEntity;
  /** Cheap gate on the raw text. */
  readonly gate: (text: string) => boolean;
  readonly find: (text: string, push: Push) => void;
}

const MAX_CANDIDATES = 2000; // per finder and text: bounds work on adversarial fields

/** Call `fn` for each match of global `re` in `text` (at most MAX_CANDIDATES). */
function forMatches(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(text); m !== null && n < MAX_CANDIDATES; m = re.exec(text), n++) {
    if (m[0].length === 0) re.lastIndex++;
    fn(m);
  }
}

const before = (text: string, at: number, n: number): string => text.slice(Math.max(0, at - n), at).toLowerCase();
// Cheap gates (prescan.ts), each a superset of what its finders' candidate regexes can match.
/** Seven digits, at most four separators between each two (cards, SSNs, IBANs and phones). */
const hasLongNumber = (text: string): boolean => (prescan(text) & LONG_NUMBER) !== 0;

// ── email ─────────────────────────────────────────────────────────────────────────────────────
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const EXAMPLE_DOMAIN = /@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|example|test|invalid|localhost)$/i;

const email: Finder = {
  entity: 'email',
  gate: (t) => t.includes('@'),
  find(text, push) {
    forMatches(EMAIL, text, (m) => {
      const v = m[0];
      if (EXAMPLE_DOMAIN.test(v)) push('email', m.index, m.index + v.length, 'info', 0.9, { example: true });
      else push('email', m.index, m.index + v.length, 'medium', 0.97);
    });
  },
};

// ── credit card ───────────────────────────────────────────────────────────────────────────────
const CARD = /(?<![\d.,-])\d(?:[ -]?\d){11,18}(?![\d-])/g;
const CARD_CONTEXT = /\b(?:card|credit|debit|visa|master ?card|amex|american express|maestro|discover|jcb|diners|unionpay|cc|pan|payment|billing)\b/;

const creditCard: Finder = {
  entity: 'credit-card',
  gate: hasLongNumber,
  find(text, push) {
    forMatches(CARD, text, (m) => {
      const raw = m[0];
      const digits = raw.replace(/[ -]/g, '');
      if (!luhnValid(digits) || /^(\d)\1+$/.test(digits)) return;
      const context = CARD_CONTEXT.test(before(text, m.index, 48));
      // Outside the published issuer ranges, a Luhn-valid number counts only when the text says card.
      const issuer = cardIssuer(digits) ?? (context && digits.length >= 12 ? 'unknown' : undefined);
      if (issuer === undefined) return;
      // Grouped numbers must be grouped like cards (4-4-4-4, 4-6-5, 4-6-4), not like phones.
      if (raw.length !== digits.length) {
        const groups = raw.split(/[ -]/).map((g) => g.length).join(',');
        if (!/^(?:4,4,4,4(?:,[1-3])?|4,4,4,4,\d|4,6,5|4,6,4|4,4,4,\d|4,4,4,4,4)$/.test(groups)) return;
      }
      // Maestro's 12-15 digit forms are too common among plain numbers without context.
      if (issuer === 'maestro' && !context) return;
      const example = TEST_CARDS.has(digits);
      push('credit-card', m.index, m.index + raw.length, example ? 'info' : 'high', context ? (issuer === 'unknown' ? 0.8 : 0.97) : 0.85, {
        issuer,
        ...(example ? { example: true } : {}),
      });
    });
  },
};

// ── IBAN ──────────────────────────────────────────────────────────────────────────────────────
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

const IBAN_GATE = /[A-Za-z]{2}\d\d/;

const iban: Finder = {
  entity: 'iban',
  gate: (t) => hasLongNumber(t) && IBAN_GATE.test(t),
  find(text, push) {
    forMatches(IBAN, text, (m) => {
      const compact = m[0].replace(/ /g, '').toUpperCase();
      if (!ibanValid(compact)) return;
      push('iban', m.index, m.index + m[0].length, 'high', 0.98, { country: compact.slice(0, 2) });
    });
  },
};

// ── US SSN ────────────────────────────────────────────────────────────────────────────────────
const SSN = /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_CONTEXT = /\b(?:ssn|ss#|ss no|social security|social sec|taxpayer|tin)\b/;
const SSN_EXAMPLES = new Set(['078051120', '123456789', '219099999']); // SSA-voided advertising numbers

const usSsn: Finder = {
  entity: 'us-ssn',
  gate: hasLongNumber,
  find(text, push) {
    forMatches(SSN, text, (m) => {
      const [, area = '', sep = '', group = '', serial = ''] = m;
      if (!ssnValid(area, group, serial)) return;
      const context = SSN_CONTEXT.test(before(text, m.index, 48));
      if (sep !== '-' && !context) return; // bare 9 digits are only an SSN when the text says so
      const example = SSN_EXAMPLES.has(area + group + serial);
      push('us-ssn', m.index, m.index + m[0].length, example ? 'info' : 'high', context ? 0.95 : 0.7, example ? { example: true } : {});
    });
  },
};

// ── IP addresses ──────────────────────────────────────────────────────────────────────────────
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\.?\\d)`, 'g');
const IPV6 = /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])/g;
// Decision: a dotted quad right after a version word (version, v, release, build...) is a version
// number, not an address; so is one followed by a 5th component (excluded by the lookahead).
const VERSION_BEFORE = /(?:version|ver\.?|v|release|rel\.?|build|firmware|rev\.?|update|patch)\s?$/;

const IPV4_GATE = /\d\.\d{1,3}\.\d/;
const IPV6_GATE = /:[0-9A-Fa-f]{0,4}:/;

const scopeSeverity = (scope: string): Severity => (scope === 'public' ? 'medium' : scope === 'private' ? 'low' : 'info');

const ipAddress: Finder = {
  entity: 'ip-address',
  gate: (t) => IPV4_GATE.test(t) || (t.includes(':') && IPV6_GATE.test(t)),
  find(text, push) {
    if (IPV4_GATE.test(text)) forMatches(IPV4, text, (m) => {
      if (VERSION_BEFORE.test(before(text, m.index, 12))) return;
      const scope = ipv4Scope(m[0]);
      push('ip-address', m.index, m.index + m[0].length, scopeSeverity(scope), 0.9, { version: 4, scope });
    });
    if (!text.includes(':') || !IPV6_GATE.test(text)) return;
    forMatches(IPV6, text, (m) => {
      const v = m[0];
      if ((v.match(/[0-9A-Fa-f]/g) ?? []).length < 4) return;
      const scope = ipv6Scope(v);
      if (scope === undefined) return;
      push('ip-address', m.index, m.index + v.length, scopeSeverity(scope), 0.9, { version: 6, scope });
    });
  },
};

// ── phone ─────────────────────────────────────────────────────────────────────────────────────
const PHONE = /(?<![\w+./-])(?:\+|00)?\(?\d[\d \t()./-]{5,24}\d(?:\s?(?:x|ext\.?|#)\s?\d{1,6})?(?![\w/])/g;
const PHONE_CONTEXT = /(?:\b(?:phone|tel|telephone|call|calling|mobile|mob|cell|cellphone|fax|desk|office|contact|whatsapp|sms|text me|reach me|dial|landline|hotline|voicemail|messages?|answering|texts?)\b|☎|📞)/;
const PHONE_AFTER = /^[\s-]{0,3}\(?(?:office|fax|mobile|home|work|cell|tel)\b/;
const NANP = /^(?:(?:\+?1|001)[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}$/;
const TRUNK = /^\(?0\d{1,4}\)?(?:[ ./-]\d{1,8}){1,4}$/;
const BR_MOBILE = /^\(\d{2}\) ?\d{4,5}-\d{4}$/;
const IN_MOBILE = /^[6-9]\d{4}[ -]\d{5}$/;
const LOOSE = /^(?:\(?\d{1,4}\)?(?:[ .-]{1,2}\d{2,6}){1,4}|\d{7,12})$/;
const DATE_LIKE = /^\d{1,4}([./-])\d{1,2}\1\d{2,4}$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const NOT_PHONE_BEFORE = /(?:isbn(?:-1[03])?:?|issn:?|version|ver\.?|v|[$€£¥₹]|usd|eur|gbp|order|invoice|id|#)\s?$/;

const phone: Finder = {
  entity: 'phone',
  gate: hasLongNumber,
  find(text, push) {
    forMatches(PHONE, text, (m) => {
      let v = m[0];
      let start = m.index;
      // A leading "(" belongs to the number only when it is closed inside it.
      if (v.startsWith('(') && !v.includes(')')) {
        v = v.slice(1);
        start += 1;
      }
      const core = v.replace(/\s?(?:x|ext\.?|#)\s?\d{1,6}$/, '');
      const digits = core.replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15) return;
      if (DATE_LIKE.test(core) || DOTTED_QUAD.test(core) || /\d[ \t]{2,}\d|[./-]{2}/.test(core)) return;
      const pre = before(text, start, 40);
      if (NOT_PHONE_BEFORE.test(pre.slice(-10))) return;
      // Arithmetic ("63,000-16,000=47,000") is not a phone number.
      if (/[=*+×÷<>]\s?$/.test(pre) || /^\s?[=*+×÷<>]/.test(text.slice(start + v.length, start + v.length + 2))) return;
      // "03262 2437 Main St": house numbers before a street name, not a phone number.
      if (codeOr(text, start + v.length) === 32 && STREET_AFTER.test(text.slice(start + v.length, start + v.length + 80))) return;
      const groups = core.split(/[^\d]+/).filter((g) => g.length > 0);
      if (groups.length > 1 && groups.every((g) => /^(?:19|20)\d\d$/.test(g))) return; // year lists
      const context = PHONE_CONTEXT.test(pre) || PHONE_AFTER.test(text.slice(start + v.length, start + v.length + 12).toLowerCase());
      let confidence = 0;
      let kind = '';
      if (/^(?:\+|00)/.test(core) && digits.length >= 8) [confidence, kind] = [0.9, 'international'];
      else if (NANP.test(core)) [confidence, kind] = [0.85, 'nanp'];
      else if (BR_MOBILE.test(core)) [confidence, kind] = [0.8, 'br'];
      else if (TRUNK.test(core) && digits.length >= 9 && digits.length <= 12) [confidence, kind] = [0.75, 'national'];
      else if (IN_MOBILE.test(core)) [confidence, kind] = [0.7, 'in'];
      else if (context && LOOSE.test(core) && digits.length <= 12) [confidence, kind] = [0.6, 'local'];
      if (confidence === 0) return;
      if (context) confidence = Math.min(0.97, confidence + 0.15);
      push('phone', start, start + v.length, 'medium', confidence, { format: kind });
    });
  },
};

// ── date of birth ─────────────────────────────────────────────────────────────────────────────
const MONTHS = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DOB_TRIGGER = /\b(?:born(?:\s+on|\s+in)?|date\s+of\s+birth|birth\s?date|birthday|d\.?o\.?b\.?)(?![a-z])/gi;
const DATE_AFTER = new RegExp(
  `^[^\\n\\d]{0,24}?\\b(\\d{1,4}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTHS}\\.?,?\\s+\\d{4}|${MONTHS}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|${MONTHS}\\.?\\s+\\d{4}|(?:19|20)\\d{2}(?!\\s?[-+*/=]\\s?\\d))\\b`,
  'i',
);

const dateOfBirth: Finder = {
  entity: 'date-of-birth',
  // (every DATE_AFTER form has a digit)
  gate: (t) => (prescan(t) & (BIRTH_WORD | DIGIT)) === (BIRTH_WORD | DIGIT),
  find(text, push) {
    forMatches(DOB_TRIGGER, text, (m) => {
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 60);
      const d = DATE_AFTER.exec(after);
      if (d === null || d[1] === undefined) return;
      const start = m.index + m[0].length + d[0].length - d[1].length;
      const yearOnly = /^\d{4}$/.test(d[1]);
      push('date-of-birth', start, start + d[1].length, yearOnly ? 'low' : 'medium', yearOnly ? 0.6 : 0.9, {});
    });
  },
};

// ── street address ────────────────────────────────────────────────────────────────────────────
// Street suffixes: USPS Publication 28 (Appendix C) common forms and abbreviations.
const SUFFIX_EN =
  '(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Square|Sq|Terrace|Ter|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|Crescent|Close|Grove|Gardens?|Row|Walk|Mews|Hills?|Loop|Crossroad|Crossing|Greens?|Park|Alley|Plaza|Point|Ridge|Run|View|Heights|Estates?|Manor|Creek|Fork|Pass|Path|Pike|Port|Route|Rte|Summit|Valley|Village|Ville|Vista|Wells?|Junction|Knolls?|Landing|Lodge|Meadows?|Mills?|Mount|Orchard|Oval|Pines?|Prairie|Ranch|Rapids|Shores?|Springs?|Spur|Stream|Track|Tunnel|Turnpike|Underpass|Union|Viaduct|Views?|Expressway|Expy|Freeway|Fwy|Causeway|Bypass|Brook|Bridge|Canyon|Cove|Dale|Falls|Ferry|Fields?|Flats?|Ford|Forest|Glen|Harbor|Haven|Hollow|Island|Lake|Lakes|Mall|Mission|Motorway|Quay|Wharf|Wynd|Rise|Parade|Esplanade|Embankment|Broadway)';
/** A street name right after a number: "Main St", "North Maple Avenue". */
let STREET_AFTER_RE: RegExp | undefined;
const STREET_AFTER = {
  test(s: string): boolean {
    STREET_AFTER_RE ??= new RegExp(`^[ \\t]{1,2}(?:\\p{Lu}[\\p{L}'’.-]{0,30}[ \\t]{1,2}){1,3}${SUFFIX_EN}\\.?(?![\\p{L}])`, 'u');
    return STREET_AFTER_RE.test(s);
  },
};
// Continental street words as suffix of a compound (Hauptstraße, Koskikatu, Storgatan) or a word.
/** Alternation matching each word with a lower- or upper-case first letter (no inline (?i) in Node 20). */
const anyCase = (words: readonly string[]): string =>
  `(?:${words.map((w) => `[${w.charAt(0)}${w.charAt(0).toUpperCase()}]${w.slice(1).replace(/\./g, '\\.')}`).join('|')})`;

const SUFFIX_EU = anyCase(EU_WORDS);
const STREET_PREFIX = anyCase([
  'rue', 'avenue', 'av.', 'bd', 'boulevard', 'chemin', 'impasse', 'allée', 'place', 'quai', 'via', 'viale', 'vicolo',
  'piazza', 'piazzetta', 'corso', 'strada', 'calle', 'c/', 'avenida', 'avda.', 'carrer', 'paseo', 'plaza', 'rua',
  'travessa', 'largo', 'praça', 'ul.', 'al.', 'os.', 'pl.', 'ulica', 'str.', 'odos', 'leoforos', 'trg', 'ulitsa',
  'prospekt', 'pod', 'nad',
]);
const PARTICLES = '(?:de|del|della|dei|delle|des|du|la|le|les|do|da|dos|das|di|van|von|der)';
const W = "\\p{Lu}[\\p{L}'’.-]{0,30}";
const NUM = '\\d{1,6}[A-Za-z]?';
const UNIT = `(?:,?\\s{0,2}(?:Apt\\.?|Apartment|Suite|Ste\\.?|Unit|Flat|Fl\\.?|Floor|Room|Rm\\.?|#)\\s{0,2}\\d{1,5}[A-Za-z]?)`;
// Address cores, each its own regex behind a cheap gate (one combined alternation tried every
// core at every letter, which dominated the detector's time). Matches of all cores are merged in
// position order, so the result is that of one alternation in this order.
// A core's gate is a function or a prescan flag.
type CoreGate = number | ((t: string) => boolean);
const STREET_CORES: readonly (readonly [gate: CoreGate, core: string])[] = [
  // 123 Main Street / 12 North Maple Ave.
  [NUMBER_CAPITAL, `${NUM}(?:[ ,]{1,2}${NUM})?\\s{1,2}(?:${W}\\s{1,2}){0,3}${SUFFIX_EN}\\.?(?![\\p{L}])`],
  // Hauptstraße 5 / Koskikatu 25 / Augsburger Strasse 36 (optionally preceded by a number)
  [
    EU_STREET,
    `(?:${NUM}\\s{1,2})?(?:${W}\\s{1,2}){0,2}[\\p{L}'-]{0,30}${SUFFIX_EU}\\s{1,2}${NUM}(?![\\p{L}\\d])`,
  ],
  // rue de la Paix 12 / 12 rue de la Paix / ul. Narewska 94 / Via Roma 12
  // (the word after the prefix is a capitalised name or a particle: "place team scored 2" is prose)
  [
    PREFIX_WORD,
    `(?:${NUM},?\\s{1,2})?${STREET_PREFIX}\\s{1,2}(?:${PARTICLES}\\s{1,2}){0,2}\\p{Lu}(?:[\\p{L}'’.-]{0,30}\\s{1,2}){1,4}?${NUM}(?![\\p{L}\\d])|${NUM},?\\s{1,2}${STREET_PREFIX}\\s{1,2}(?:${PARTICLES}\\s{1,2}){0,2}\\p{Lu}[\\p{L}'’-]{0,30}(?:\\s[\\p{L}'’-]{1,30}){0,3}`,
  ],
  // P.O. Box 123 / PSC 1234, Box 5678 / Unit 1234 Box 5678 / USNS Vincent / APO AE 12345; a unit
  // alone ("Suite 838", "Apt. 297") is an address part: extendAddress and extendBack join it to
  // its street line.
  [
    BOX_WORD,
    `(?:P\\.?\\s?O\\.?\\s?Box|PSC|Unit)\\s{1,2}\\d{1,5}(?:,?\\s{1,2}Box\\s{1,2}\\d{1,5})?|(?:USNS|USNV|USS|USCGC)\\s{1,2}${W}(?:\\s{0,2}\\n?\\s{0,2}[AF]PO\\s{1,2}A[AEP]\\s{1,2}\\d{5})?|[AF]PO\\s{1,2}A[AEP]\\s{1,2}\\d{5}|(?:Apt\\.?|Apartment|Suite|Ste\\.)\\s{0,2}\\d{1,5}[A-Za-z]?`,
  ],
];
const coreGate = (gate: CoreGate): ((t: string) => boolean) => (typeof gate === 'function' ? gate : (t) => (prescan(t) & gate) !== 0);
const STREETS: readonly (readonly [gate: (t: string) => boolean, re: RegExp])[] = STREET_CORES.map(([gate, core]) => [
  coreGate(gate),
  new RegExp(`(?<![\\p{L}\\d-])(?:${core})${UNIT}?`, 'gu')]);
// Line-shaped address: a line that starts with a house number and ends with a number, with 1-4
// words between ("5850 Jana Nerudy 894", "0104 Hafnarstraeti 5").
const ADDRESS_LINE = new RegExp(`(?:^|\\n)[ \\t>?*-]{0,4}(\\d{1,6}[A-Za-z]?\\s(?:\\p{L}[\\p{L}'’./-]{0,30}\\s){1,4}\\d{1,5}[A-Za-z]?\\.?${UNIT}?)(?=[ \\t]*(?:\\n|$|,))`, 'gu');
const LINE_START_NUMBER = /^[ \t>?*-]{0,4}\d/;
// Context: "address: ...", "live at ...", "send it to ..."; the rest of the line is taken when it
// contains a house number.
const ADDRESS_CONTEXT = /\b(?:address(?![a-z])(?:\s+(?:is|of\s+[\p{Lu}][\p{L}.&' -]{0,40}\s+is))?|live\s+at|lives\s+at|living\s+at|located\s+at|reside\s+at|resides\s+at|ship(?:ped)?\s+to|deliver(?:ed)?\s+to|sent\s+to(?:\?\s{0,3}(?:\p{L}{1,12}:)?)?|send\s+(?:it|them|a\s+new\s+one|the\s+\w+)\s+to|mail(?:ed)?\s+to|return\s+to|corner\s+of|meet\s+(?:you\s+|me\s+)?at|stop\s+at|(?:is|are|was|were)\s+(?:at|on)|lives?\s+on|living\s+on|off\s+at|lives?\s+in|living\s+in)\s*:?\s*\n?\s*/giu;
const CONTEXT_TAIL = /^[^\n?!;]{4,120}/u;
/** A lower-case address after a context phrase: a house number, then a street word of three or more letters and a number or unit. */
const LOWER_ADDRESS = /^(?![^\n]*[=*$<>%])(?:\d{1,6}[a-z]?\s{1,2}){1,2}(?:[\p{Ll}'’.-]{1,30}\s{1,2}){0,3}[\p{Ll}'’-]{4,30}\s{1,2}(?:\d{1,5}|st\b|street|avenue|road|ave\b|rd\b)|^(?:unit|psc|apt\.?|suite)\s{1,2}\d{1,5}/u;

// Weaker context phrases ("is at", "lives on", "drops you off at") count only before an address
// shape: a house number and a capitalised word ("is at 12 Elm..."), or after "on", a street name
// and its number ("lives on Grünweg 50").
const WEAK_CONTEXT = /^(?:(?:is|are|was|were)\s+(?:at|on)|lives?\s+(?:on|in)|living\s+(?:on|in)|off\s+at|sent\s+to)\b/i;
// (not a date, a time or a quantity: "is on 12 December", "is at 3 Days")
const NUMBER_FIRST =
  /^\d{1,6}[A-Za-z]?,?\s{1,2}(?:\d{1,5}[A-Za-z]?\s{1,2})?(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Days?|Weeks?|Months?|Years?|Hours?|Minutes?|Seconds?|Percent|Times|Points|People|Dollars|Euros|Pounds)\p{Ll}*\b)\p{Lu}\p{Ll}/u;
// (not a day, month or time: "is on Saturday 12", "is on June 5")
const NAME_NUMBER =
  /^(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Page|Chapter|Day|Week|Level|Round|Step|Channel|Line|Track|Episode|Season)\p{Ll}*\b)\p{Lu}[\p{L}'’.-]{1,30}(?:\s[\p{L}'’.-]{1,30}){0,3}\s\d{1,5}[A-Za-z]?(?![\p{L}\d])/u;

// A street named without a house number after "on", "of" or "and": "the shows on Berg Hills
// Street", "the corner of 11 Botley Road St. and Herceg Gateway St.".
// (the leading words are matched, not looked behind at: a lookbehind is tried at every position)
const NAMED_STREET = /\b(?:on|of|and) (\p{Lu}[\p{L}'’-]{1,30}(?: \p{Lu}[\p{L}'’-]{1,30}){0,2} (?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.|Lane|Drive))(?![\p{L}])/gu;
/** Confidence of a street named without a house number (every other address candidate is above it). */
const NAMED_STREET_CONFIDENCE = 0.6;
/** Gate for NAMED_STREET: one of its street words after a space (one regex: ten searches cost 10×). */
const NAMED_STREET_GATE = / (?:St(?:reet|\.)|Ave(?:nue|\.)|R(?:oad|d\.)|B(?:oulevard|lvd\.)|Lane|Drive)/;
let namedText = '';
let namedResult = false;
/** NAMED_STREET_GATE on `t`, memoised for the last text (the finder's gate and find both ask). */
const namedStreetGate = (t: string): boolean => {
  if (t !== namedText) {
    namedText = t;
    namedResult = NAMED_STREET_GATE.test(t);
  }
  return namedResult;
};

const streetAddress: Finder = {
  entity: 'street-address',
  gate: (t) => (prescan(t) & DIGIT) !== 0 || namedStreetGate(t),
  find(text, push) {
    // Candidate spans from the cores, address lines and context phrases, as [start, end, confidence,
    // context, end before extendAddress] quints; overlapping or adjacent ones are merged into one
    // address below.
    const spans: number[] = [];
    const add = (start: number, end: number, confidence: number, context: boolean, core = end): void => {
      if (end > start) spans.push(start, end, confidence, context ? 1 : 0, core);
    };
    // Merge the cores' matches as one alternation would: the leftmost match (first core on a
    // tie) wins, and every core resumes its search after it.
    const live: RegExp[] = [];
    const digits = (prescan(text) & DIGIT) !== 0;
    if (digits) for (const [gate, re] of STREETS) if (gate(text)) live.push(re);
    const next: (RegExpExecArray | null)[] = live.map((re) => {
      re.lastIndex = 0;
      return re.exec(text);
    });
    let cursor = 0;
    for (let n = 0; n < MAX_CANDIDATES; n++) {
      let best = -1;
      for (let c = 0; c < live.length; c++) {
        let m = next[c] ?? null;
        if (m !== null && m.index < cursor) {
          const re = live[c] as RegExp;
          re.lastIndex = cursor;
          m = next[c] = re.exec(text);
        }
        if (m !== null && (best < 0 || m.index < (next[best] as RegExpExecArray).index)) best = c;
      }
      if (best < 0) break;
      const m = next[best] as RegExpExecArray;
      cursor = m.index + Math.max(1, m[0].length);
      add(extendBack(text, m.index), extendAddress(text, m.index + m[0].length), 0.8, false, m.index + m[0].length);
    }
    if (namedStreetGate(text)) {
      forMatches(NAMED_STREET, text, (m) => {
        const street = m[1] ?? '';
        const first = street.slice(0, street.indexOf(' '));
        if (NAME_STOP.has(first) || NOT_PERSON.has(first)) return;
        const start = m.index + m[0].length - street.length;
        add(start, start + street.length, NAMED_STREET_CONFIDENCE, false);
      });
    }
    if (digits && (text.includes('\n') || LINE_START_NUMBER.test(text))) {
      forMatches(ADDRESS_LINE, text, (m) => {
        const g = m[1] ?? '';
        const start = m.index + m[0].length - g.length;
        add(start, extendAddress(text, start + g.length), 0.75, false, start + g.length);
      });
    }
    if (digits && (prescan(text) & (ADDRESS_WORD | WEAK_ADDRESS)) !== 0) {
      forMatches(ADDRESS_CONTEXT, text, (m) => {
        const at = m.index + m[0].length;
        const tail = CONTEXT_TAIL.exec(text.slice(at, at + 160));
        if (tail === null) return;
        let chunk = tail[0];
        const stop = chunk.search(/\.\s|\s(?:in case|after|for|because|and then|if|when|but|please|thanks)\b|,\s(?:can|could|please|is|was)\b/i);
        if (stop > 0) chunk = chunk.slice(0, stop);
        chunk = chunk.replace(/[\s.,]+$/, '');
        // (a lower-case address counts when it starts with its house number: "meet me at 2407 tawastintie 6")
        if (!/\d/.test(chunk) || !(/\p{Lu}/u.test(chunk) || LOWER_ADDRESS.test(chunk)) || chunk.length < 5) return;
        if (WEAK_CONTEXT.test(m[0]) && !NUMBER_FIRST.test(chunk) && !(LOWER_ADDRESS.test(chunk) && !/\p{Lu}/u.test(chunk))) {
          const named = /on\s*$/i.test(m[0]) ? NAME_NUMBER.exec(chunk) : null;
          if (named === null) return;
          // The address ends at its house number ("is on Villacher Strasse 89  He can read..."),
          // then takes the unit, city and postcode parts that follow it (extendAddress).
          chunk = named[0];
        }
        add(at, extendAddress(text, at + chunk.length), 0.7, true, at + chunk.length);
      });
    }
    if (spans.length === 0) return;
    const order: number[] = [];
    for (let i = 0; i < spans.length; i += 5) order.push(i);
    order.sort((x, y) => (spans[x] as number) - (spans[y] as number) || (spans[y + 1] as number) - (spans[x + 1] as number));
    const parts: number[] = []; // the candidates of the current merged address
    let start = -1;
    let end = -1;
    const flush = (): void => {
      if (parts.length === 0) return;
      let confidence = 0;
      let context = true;
      for (const i of parts) {
        confidence = Math.max(confidence, spans[i + 2] as number);
        if (spans[i + 3] === 0) context = false;
      }
      // A merged address that runs into a hit of another entity (a phone line after the block)
      // falls back to its parts, each without its extension when that still overlaps.
      // A street named without any house number ("traffic on Happy Street") is a place more than an
      // address: reported at low severity, so stories and word problems do not ask for review.
      const severity = (c: number): Severity => (c > NAMED_STREET_CONFIDENCE ? 'medium' : 'low');
      if (!push('street-address', start, end, severity(confidence), confidence, context ? { context: true } : {})) {
        for (const i of parts) {
          const data = spans[i + 3] === 1 ? { context: true } : {};
          const c = spans[i + 2] as number;
          if (parts.length > 1 && push('street-address', spans[i] as number, spans[i + 1] as number, severity(c), c, data)) continue;
          if ((spans[i + 4] as number) < (spans[i + 1] as number)) push('street-address', spans[i] as number, spans[i + 4] as number, severity(c), c, data);
        }
      }
      parts.length = 0;
    };
    for (const i of order) {
      const s0 = spans[i] as number;
      const e0 = spans[i + 1] as number;
      if (parts.length > 0 && (s0 <= end || /^[\s,]{0,3}$/.test(text.slice(end, s0)))) {
        end = Math.max(end, e0);
        parts.push(i);
        continue;
      }
      flush();
      start = s0;
      end = e0;
      parts.push(i);
    }
    flush();
  },
};

/**
 * Extend an address backwards over the street part before a unit ("Via Franscini 71 Suite 838"):
 * the same line's preceding text, when it holds a house number.
 */
const LEADING_NUMBER = /\d{1,6}[A-Za-z]?[ \t]{1,2}$/;
function extendBack(text: string, start: number): number {
  // A number before the house number ("770 26 rue ...", "48334 36 rue de Pologne"): the
  // building or postcode part of the same address.
  const c0 = codeOr(text, start);
  if (c0 >= 48 && c0 <= 57) {
    const lead = LEADING_NUMBER.exec(text.slice(Math.max(0, start - 10), start));
    if (lead !== null) {
      const at = start - lead[0].length;
      const p = codeOr(text, at - 1);
      if (at === 0 || p === 32 || p === 10 || p === 9 || p === 62 || p === 58 || p === 44) start = at;
    }
  }
  const head = text.slice(Math.max(0, start - 60), start);
  if (!/(?:^|\S)\s{1,2}$/.test(head) || !/(?:Apt|Apartment|Suite|Ste)/.test(text.slice(start, start + 10))) return start;
  const lineStart = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(','), head.lastIndexOf('>'), head.lastIndexOf('?')) + 1;
  const part = head.slice(lineStart);
  const lead = part.length - part.trimStart().length;
  if (!/\d/.test(part) || !/\p{L}{2}/u.test(part) || part.trim().split(/\s+/).length > 7) return start;
  return start - head.length + lineStart + lead;
}

/** Extend an address over following unit, city, region, country and postcode lines or parts. */
function extendAddress(text: string, end: number): number {
  const LINE = /^(?:,|\n)[ \t>?*-]{0,4}(?:(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor)\s{0,2}\d{1,5}[A-Za-z]?|[\p{Lu}\d][\p{L}\d '’.()-]{1,40}?(?:,\s{0,2}[\p{Lu}][\p{L}.]{1,3})?)(?=\s{0,2}(?:,|\n|$|\.\s|\.$|\?))/u;
  for (let i = 0; i < 4; i++) {
    // One blank line inside a block, when the line after it holds a number ("\n\n Estonia 62488").
    const blank = /^\n[ \t]*(?=\n[^\n]{0,40}\d)/.exec(text.slice(end, end + 50));
    const skip = blank === null ? 0 : blank[0].length;
    const m = LINE.exec(text.slice(end + skip, end + skip + 60));
    if (m === null) break;
    const part = m[0];
    // Only keep a continuation that looks like an address part: unit, postcode or place name with
    // a number, or a short capitalised place line in a multi-line block.
    if (!/\d/.test(part) && !part.startsWith('\n') && i > 0) break;
    if (part.split(/\s+/).length > 6) break;
    end += skip + part.length;
  }
  return end;
}

// ── person name ───────────────────────────────────────────────────────────────────────────────
// Phrase rules (honorific, label, sign-off, "my name is"...) run behind cheap literal gates. The
// token pass walks capitalised runs with a hand-written scanner and decides each run from word
// lists (common given names and surnames), person cues next to it (name-taking verbs, role nouns)
// and, last, from the other names of the same text (repeated names, coordinated lists, speakers).
// A token: a capital, then a lower-case letter or apostrophe ("O'Brien"), then letters (so
// "McDowell" and "DeVries" stay whole).
const TOKEN = "\\p{Lu}[\\p{Ll}'’][\\p{L}'’-]{0,23}";
const INITIAL = '\\p{Lu}\\.';
const PARTICLE = "(?:van|von|de|da|del|della|der|den|di|du|le|la|dos|das|bin|ibn|al|el|ter|ten|st\\.)";
// A particle only inside a name ("Pieter de Vries"), never at its end ("Slovenia le|ader").
const NAME = `${TOKEN}(?: (?:${INITIAL}|${PARTICLE}(?= \\p{Lu})|${TOKEN})){0,3}`;
const NAME_STOP = new Set([
  'The', 'A', 'An', 'And', 'Or', 'But', 'In', 'On', 'At', 'To', 'For', 'Of', 'With', 'From', 'By', 'Is', 'Was',
  'Street', 'Avenue', 'Road', 'Inc', 'Ltd', 'LLC', 'Corp', 'Company', 'University', 'Bank', 'Hospital',
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February',
  'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
  'I', 'My', 'Your', 'His', 'Her', 'Their', 'Our', 'We', 'He', 'She', 'They', 'It', 'This', 'That', 'Please',
  'Thanks', 'Thank', 'Hello', 'Hi', 'Hey', 'Dear', 'Yes', 'No', 'Not', 'Can', 'Could', 'Would', 'Should', 'Will',
  'Phone', 'Email', 'E-mail', 'Address', 'Website', 'Mobile', 'Fax', 'Desk', 'Personal', 'Info', 'Name',
  'Date', 'Customer', 'Service', 'Support', 'Team', 'Manager', 'Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'Sir', 'Here',
  'There', 'What', 'When', 'Where', 'Why', 'How', 'Who', 'Which', 'Whose', 'Whom', 'Also', 'Just', 'Some', 'All', 'Any', 'Every', 'If',
  'So', 'Then', 'Than', 'As', 'Do', 'Does', 'Did', 'Are', 'Were', 'Be', 'Been', 'Have', 'Has', 'Had', 'Let',
  'Oh', 'Ok', 'Okay', 'Well', 'Now', 'Maybe', 'Sure', 'Sorry', 'Great', 'Good', 'Nice', 'After', 'Before',
  'While', 'Since', 'Because', 'Although', 'However', 'Unlike', 'Like', 'About', 'Into', 'Over', 'Under', 'Today',
  'Miss', 'Mx', 'Dame', 'Lady', 'Madam', 'Mme', 'Mlle', 'Herr', 'Frau', 'Sr', 'Sra', 'Srta', 'Sig',
  'You', 'Me', 'Him', 'Them', 'Us', 'Its', 'These', 'Those', 'Each', 'Both', 'Either', 'Neither', 'Many', 'Most',
  'More', 'Much', 'Other', 'Another', 'Such', 'One', 'Two', 'First', 'Second', 'Last', 'Next', 'Yesterday',
  'Tomorrow', 'Tonight', 'Yet', 'Still', 'Even', 'Only', 'Very', 'Really', 'Actually', 'Perhaps', 'Probably',
  'Later', 'Soon', 'Meanwhile', 'Finally', 'Afterwards', 'Instead', 'Again', 'Once', 'Sometimes', 'Often', 'Usually',
  'Never', 'Always', 'Suddenly', 'Recently', 'Eventually', 'Anyway', 'Besides', 'Therefore', 'Thus', 'Hence',
  'Otherwise', 'Overall', 'Indeed', 'Sadly', 'Luckily', 'Clearly', 'Obviously', 'Apparently', 'Hopefully', 'Honestly',
  'Hmm', 'Um', 'Uh', 'Wow', 'Ah', 'Alright', 'Right', 'Look', 'Listen', 'Wait', 'Ugh', 'Haha', 'Lol', 'Excuse', 'Guys',
  'Folks', 'Friends', 'Everyone', 'Seriously', 'Absolutely', 'Exactly', 'Correct', 'True', 'Fine', 'Cool', 'Awesome',
  'Altogether', 'Currently', 'Initially', 'Originally', 'Additionally', 'Furthermore', 'Moreover', 'Similarly', 'Together',
  'Total', 'Including', 'Except', 'Plus', 'Minus', 'Per',
]);
// Words that mark a capitalised sequence as an organisation, place, work or thing, not a person.
const NOT_PERSON = new Set([
  'Corporation', 'Corp', 'Group', 'Systems', 'Technologies', 'Technology', 'Inc', 'Ltd', 'LLC', 'Co', 'Company',
  'Bank', 'Insurance', 'Transit', 'Global', 'Capital', 'Labs', 'Partners', 'Holdings', 'Solutions', 'Services',
  'Foundation', 'Institute', 'University', 'College', 'School', 'Hospital', 'Center', 'Centre', 'Club',
  'Orchestra', 'Society', 'Association', 'Media', 'Software', 'Network', 'Networks', 'Health', 'Energy',
  'Financial', 'Analytics', 'Data', 'Research', 'Studios', 'Records', 'Music', 'Press', 'Airlines', 'Motors',
  'Industries', 'International', 'Agency', 'Department', 'Ministry', 'Council', 'Office', 'Trust', 'Fund',
  'Kingdom', 'Republic', 'States', 'United', 'City', 'County', 'Province', 'Island', 'Islands', 'Village',
  'North', 'South', 'East', 'West', 'New', 'Saint', 'Mount', 'Lake', 'Bay', 'Beach', 'Valley', 'Country', 'Park',
  'Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Square', 'Station', 'Airport', 'Church', 'Museum', 'Hotel',
  'Restaurant', 'Cafe', 'Market', 'Store', 'Shop', 'Mall', 'Tower', 'Bridge', 'River', 'Sea', 'Ocean', 'Europe',
  'America', 'Africa', 'Asia', 'Google', 'Microsoft', 'Apple', 'Amazon', 'Facebook', 'Twitter', 'Bot', 'User',
  'Answer', 'Question', 'Suite', 'Apt', 'Box', 'Tales', 'Songs', 'Song', 'Album', 'Book', 'Novel', 'Movie', 'Film',
  'Show', 'Day', 'Week', 'Year', 'Christmas', 'Easter', 'God', 'Lord', 'Jesus', 'English', 'French', 'German',
  'Spanish', 'Chinese', 'Japanese', 'American', 'British', 'Internet', 'Web', 'App', 'API', 'Python', 'Java',
  // company words
  'Investments', 'Associates', 'Incorporated', 'Markets', 'Lines', 'Consulting', 'Consultants', 'Enterprises',
  'Ventures', 'Brothers', 'Bros', 'Sons', 'Logistics', 'Pharmaceuticals', 'Airways', 'Electric', 'Communications',
  'Telecom', 'Entertainment', 'Productions', 'Publishing', 'Studio', 'Brands', 'Foods', 'Stores', 'Hotels',
  'Resorts', 'Properties', 'Realty', 'Construction', 'Engineering', 'Manufacturing', 'Chemicals', 'Steel',
  'Petroleum', 'Mining', 'Bancorp', 'Securities', 'Management', 'Advisors', 'Assurance', 'Mutual', 'Credit',
  'Finance', 'Exchange', 'Trading', 'Wireless', 'Digital', 'Interactive', 'Online', 'Robotics', 'Dynamics',
  'Aerospace', 'Defense', 'Automotive', 'Pharma', 'Biotech', 'Therapeutics', 'Medical', 'Healthcare', 'Clinic',
  'Legal', 'LLP', 'PLC', 'GmbH', 'AG', 'Pty', 'Insight', 'Insights', 'Statement', 'Weekly', 'Daily', 'Times',
  'News', 'Magazine', 'Journal', 'Review', 'Tribune', 'Gazette', 'Channel', 'TV', 'Radio', 'Stadium', 'Arena',
  'Theatre', 'Theater', 'Gallery', 'Library', 'Academy', 'Cathedral', 'Temple', 'Mosque', 'Palace', 'Castle',
  'Central', 'National', 'Federal', 'Royal', 'General', 'Union', 'Army', 'Navy', 'Police', 'Court', 'Senate',
  'Congress', 'Parliament', 'Party', 'Committee', 'Commission', 'Board', 'Authority', 'Project', 'Program',
  'Programme', 'Act', 'Award', 'Prize', 'Cup', 'League', 'Championship', 'Olympics', 'War', 'Empire', 'Revolution',
  // first words of place names
  'Fort', 'Port', 'Porto', 'San', 'Santa', 'Santo', 'São', 'Los', 'Las', 'Cite', 'Cité', 'Ciudad', 'Villa', 'Cape',
  'Isla', 'Nueva', 'Nuevo', 'Upper', 'Lower', 'Greater',
]);
/** Company words: a run holding one or followed by one is a firm, and so is its list ("Clark, Romero and Hall Orchestra"). */
const ORG_WORDS = new Set([
  'Ltd', 'Inc', 'LLC', 'Corp', 'Corporation', 'Company', 'Co', 'Group', 'Associates', 'Partners', 'Orchestra', 'Holdings',
  'PLC', 'GmbH', 'AG', 'LLP', 'Brothers', 'Bros', 'Sons', 'Technologies', 'Solutions', 'Services', 'Systems', 'Industries',
  'International', 'Enterprises', 'Ventures', 'Consulting', 'Foundation', 'Institute', 'Labs', 'Incorporated', 'Limited',
  'Band', 'Quartet', 'Trio', 'Ensemble', 'Choir', 'Law', 'Attorneys', 'Architects', 'Accountants', 'Agency',
]);
// Street-name words after which a capitalised run is a street ("Marina Fort Street", "Mathias Pass").
// Suffixes that are also common names (Hill, Ford, Lane...) are left out.
const STREET_WORDS = new Set(
  SUFFIX_EN.slice(3, -1)
    .split('|')
    .flatMap((w) => (w.endsWith('?') ? [w.slice(0, -2), w.slice(0, -1)] : [w]))
    .concat(['Gateway', 'Radial', 'Forges', 'Extensions', 'Points', 'Isle', 'Courts', 'Cliffs', 'Squares', 'Stravenue', 'Throughway'])
    .filter((w) => w.length > 2 && !FIRST_NAMES.has(foldName(w)) && !SURNAMES.has(foldName(w))),
);
/** Capitalised words that take the verbs of people but are not names. */
const NOT_NAME = new Set([
  'Everyone', 'Everybody', 'Someone', 'Somebody', 'Nobody', 'Anyone', 'Anybody', 'Mom', 'Mum', 'Dad', 'Mother',
  'Father', 'Grandma', 'Grandpa', 'Granny', 'Doctor', 'Teacher', 'Nurse', 'Officer', 'Judge', 'Captain', 'Human',
  'Assistant', 'AI', 'People', 'Scientists', 'Experts', 'Researchers', 'Critics', 'Officials', 'Government',
  'Agent', 'Customer', 'Client', 'System', 'Note', 'Step', 'Example', 'Source', 'Title', 'Subject', 'Summary',
  'Input', 'Output', 'Context', 'Response', 'Prompt', 'Instruction', 'Warning', 'Tip', 'Hint', 'Solution', 'Q',
  'Black', 'White', 'Asian', 'Hispanic', 'Latino', 'Latina', 'Native', 'European', 'African', 'Indian', 'Arab',
  'Jewish', 'Muslim', 'Catholic', 'Christian', 'Jew', 'Islam', 'Bible', 'Quran', 'Santa', 'Siri', 'Alexa',
]);
// Person cues: the word(s) right before or after a run, read with a small scanner and looked up
// in sets (regexes over every run's surroundings were most of the detector's time).
const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));
/** Honorifics: the run after them is a name (confidence 0.9). */
const TITLES = words('mr mrs ms miss mx dr prof sir dame lady lord madam mme mlle herr frau sr sra srta sig');
/** Words before a run of two or three capitalised words that mark a person ("... by Anna Kovač"). */
const CUE_BEFORE = words('by with under and meet ask tell thank thanks producer singer author director founder ceo met married contact add i\'m');
/** Words before a single capitalised word that mark a person: verbs of speech, roles, relations. */
const CUE_BEFORE_STRONG = words(`says said asked told thank thanks ask tell dear hi hello hey songwriter commenter singer author director
  producer composer writer actor actress artist musician guitarist drummer rapper poet novelist painter journalist reporter
  editor professor lawyer attorney wife husband son daughter brother sister friend colleague neighbor neighbour uncle aunt
  cousin boyfriend girlfriend fiance fiancé fiancee fiancée kid child baby grandson granddaughter nephew niece stepson
  stepdaughter grandmother grandfather roommate classmate coworker boss starring featuring married divorced met named called signed
  player coach pianist violinist cellist conductor dancer chef designer architect engineer scientist physicist chemist
  historian philosopher economist politician senator governor mayor ambassador detective inspector sergeant lieutenant
  footballer striker goalkeeper quarterback boxer wrestler swimmer cyclist teammate patient student pupil`);
/** Two-word cues before a name ("directed by", "shouted at", "surname is"), keyed by their last word. */
const CUE_BEFORE_PAIRS = words(`assistant:to directed:by written:by sung:by performed:by played:by composed:by produced:by
  shouted:at yelled:at name:is surname:is call:me calls:me named:him named:her called:him called:her had:given has:given`);
/** Words after a run of two or three capitalised words that mark a person. */
const CUE_AFTER = words('lives lived had has said says wrote writes explained listed told asked replied works worked joined met married called sent gave spent');
/** Words after a single capitalised word that mark a person. */
const CUE_AFTER_STRONG = words('said says shouted whispered yelled screamed smiled laughed cried replied asked told explained wrote married sang lives lived began');
/** Nouns after a possessive that mark its owner as a person ("Asya's kid", "Olga's killers"). */
const POSSESSED = words(`wife husband son sons daughter daughters kid kids child children mother father mom mum dad brother
  sister parents family boyfriend girlfriend fiance fiancé fiancee fiancée widow killer killers murder murderer death funeral
  birthday lawyer attorney doctor friend friends uncle aunt grandmother grandfather grandson granddaughter nephew niece
  cousin partner spouse baby address phone email`);
/** After a name at the start of a line, when it addresses someone. */
const VOCATIVE_AFTER = /^, (?:can|could|would|will|please|i|you|are|do|did|have|how|what|where|why|when|is)\b/;
/** Two-word cues after a name ("is from", "was born", "had given"). */
const CUE_AFTER_PAIRS = words('is:from was:born had:given has:given');

/** Last words of CUE_BEFORE_PAIRS (and "am" of "I am"), first words of CUE_AFTER_PAIRS. */
const PAIR_ENDS = new Set([...CUE_BEFORE_PAIRS].map((p) => p.slice(p.indexOf(':') + 1)).concat('am'));
const PAIR_STARTS = new Set([...CUE_AFTER_PAIRS].map((p) => p.slice(0, p.indexOf(':'))));

// Every cue word by a hash of its lower-cased letters: a word next to a run is sliced only when its
// hash is a cue word's (most words next to a capitalised run are no cue).
const CUE_BITS = new Uint8Array(1 << 12);
const cueHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
for (const set of [TITLES, CUE_BEFORE, CUE_BEFORE_STRONG, CUE_AFTER, CUE_AFTER_STRONG, POSSESSED, CUE_BEFORE_PAIRS, CUE_AFTER_PAIRS, new Set(['am', 'i'])]) {
  for (const entry of set) {
    for (const w of entry.split(':')) {
      let h = 0;
      for (let i = 0; i < w.length; i++) h = cueHash(h, w.charCodeAt(i));
      CUE_BITS[h & 4095] = 1;
    }
  }
}
/** Whether text[start, end) may be a cue word: its lower-cased hash is one's, or it has a non-ASCII letter. */
function maybeCue(text: string, start: number, end: number): boolean {
  let h = 0;
  for (let i = start; i < end; i++) {
    const c = codeOr(text, i);
    if (c >= 128) return true;
    h = cueHash(h, c >= 65 && c <= 90 ? c + 32 : c);
  }
  return CUE_BITS[h & 4095] === 1;
}

/** Start of the word wordBefore returned last (its end for wordAfter). */
let wordEdge = 0;
/**
 * Lower-cased word ending right before `at` (one space, optional "," or "." before it); its start
 * in wordEdge. '' when there is none, or when it is no cue word.
 */
function wordBefore(text: string, at: number): string {
  wordEdge = at;
  let j = at - 1;
  if (j < 0 || codeOr(text, j) !== 32) return '';
  j--;
  const c = codeOr(text, j);
  if (c === 46 || c === 44) j--;
  const end = j + 1;
  let upper = false;
  for (; j >= 0 && j > end - 16; j--) {
    const d = codeOr(text, j);
    if (!(isLetter(d) || isApos(d))) break;
    if (d < 97 || d > 127) upper = true;
  }
  wordEdge = j + 1;
  if (j + 1 === end || !maybeCue(text, j + 1, end)) return '';
  const w = text.slice(j + 1, end);
  return upper ? w.toLowerCase() : w;
}

/**
 * Lower-cased word starting right after `at` (after an optional "," and one space); its end in
 * wordEdge. '' when there is none, or when it is no cue word.
 */
function wordAfter(text: string, at: number): string {
  wordEdge = at;
  let j = at;
  if (codeOr(text, j) === 44) j++;
  if (codeOr(text, j) !== 32) return '';
  j++;
  const start = j;
  let upper = false;
  for (; j < text.length && j < start + 16; j++) {
    const d = codeOr(text, j);
    if (!isLetter(d)) break;
    if (d < 97 || d > 127) upper = true;
  }
  wordEdge = j;
  if (j === start || !maybeCue(text, start, j)) return '';
  const w = text.slice(start, j);
  return upper ? w.toLowerCase() : w;
}

/** Whether the last cue personCue found was before the run. */
let cueBefore = false;
/** 2 strong person cue next to [start, end), 1 weak cue, 0 none; 3 after an honorific. */
function personCue(text: string, start: number, end: number): number {
  cueBefore = true;
  let weak = 0; // a weak cue before; a strong one after still counts
  const b = wordBefore(text, start);
  if (b !== '') {
    if (TITLES.has(b)) return 3;
    if (CUE_BEFORE_STRONG.has(b)) return 2;
    if (PAIR_ENDS.has(b)) {
      const b2 = wordBefore(text, wordEdge);
      if (b2 !== '' && CUE_BEFORE_PAIRS.has(`${b2}:${b}`)) return 2;
      if (b === 'am' && b2 === 'i') weak = 1;
    }
    if (CUE_BEFORE.has(b)) weak = 1;
  }
  cueBefore = false;
  // A possessive and a relation noun: "Asya's kid".
  if (isApos(codeOr(text, end)) && codeOr(text, end + 1) === 115) {
    const p = wordAfter(text, end + 2);
    if (p !== '' && POSSESSED.has(p)) return 2;
  }
  const a = wordAfter(text, end);
  if (a !== '') {
    if (CUE_AFTER_STRONG.has(a)) return 2;
    if (PAIR_STARTS.has(a)) {
      const a2 = wordAfter(text, wordEdge);
      if (a2 !== '' && CUE_AFTER_PAIRS.has(`${a}:${a2}`)) return 2;
    }
    if (CUE_AFTER.has(a)) return 1;
  }
  cueBefore = weak > 0;
  return weak;
}

/** Whether the text says "name" at all (gate for the name phrase rules). */
const hasNameWord = (t: string): boolean => (prescan(t) & NAME_WORD) !== 0;
// The answer to a question about a name ("What's your last name? Boyle", "...account? User: X").
const NAME_ANSWER = new RegExp(`\\b(?:sur)?name\\b[^.?!\\n]{0,40}\\?\\s{1,3}(?:\\p{Lu}\\p{L}{1,15}:\\s{1,3})?(${NAME})(?=\\s*(?:$|[.,!?\\n]))`, 'gu');
const LABEL_NAME = new RegExp(`(?:^|\\n)[ \\t>*-]{0,3}(?:[Nn]ame|[Ff]ull [Nn]ame|[Cc]ustomer|[Pp]atient|[Cc]ontact|[Aa]uthor|[Ff]rom|[Aa]ttn|[Ss]igned by|[Ee]mployee|[Dd]irected [Bb]y|[Ww]ritten [Bb]y)\\s?:[ \\t]{0,12}(${NAME}|[\\p{L}'’-]{2,25}(?:[ \\t][\\p{L}'’-]{2,25}){0,2})`, 'gu');
/** LABEL_NAME without its line-start anchor, tried (sticky) at each line start: no scan of the whole text. */
const LABEL_AT = new RegExp(LABEL_NAME.source.slice('(?:^|\\n)'.length), 'uy');
/** Call `fn` for each LABEL_NAME match, as forMatches would (same group, same index + lastIndexOf(group)). */
function labelMatches(text: string, fn: (m: RegExpExecArray) => void): void {
  let n = 0;
  for (let at = 0; at !== -1 && n < MAX_CANDIDATES; n++) {
    LABEL_AT.lastIndex = at;
    const m = LABEL_AT.exec(text);
    let next = at;
    if (m !== null) {
      fn(m);
      next = m.index + m[0].length; // a match may run past a line break ("Name\n: ...")
    }
    const nl = text.indexOf('\n', next === at ? at : next - 1);
    at = nl === -1 ? -1 : nl + 1;
  }
}
/** Literal gate for MY_NAME_LOWER (given hasNameWord): lower, sentence, title or upper case. */
const myNameGate = (t: string): boolean => t.includes('ame is') || t.includes('ame Is') || t.includes('AME IS');
const MY_NAME_LOWER = /\bmy name is\s([\p{L}'’-]{2,25}(?:\s(?!is\b|and\b|i\b|but\b)[\p{L}'’-]{2,25}){0,2})/giu;
const SIGNOFF_BEFORE = /(?:regards|sincerely|thanks|thank you|cheers|best|yours|respectfully|warmly),?\s{0,3}$/i;
/** Gate for SIGNOFF: a sign-off word right before some line break (checked at each line break). */
function signoffGate(t: string): boolean {
  for (let nl = t.indexOf('\n'); nl > 0; nl = t.indexOf('\n', nl + 1)) {
    let j = nl - 1;
    while (j > 0 && (codeOr(t, j) === 32 || codeOr(t, j) === 44 || codeOr(t, j) === 10 || codeOr(t, j) === 13)) j--;
    const c = codeOr(t, j) | 32; // the sign-off words end in s, t, u or y
    if ((c === 115 || c === 116 || c === 117 || c === 121) && SIGNOFF_BEFORE.test(t.slice(Math.max(0, nl - 16), nl))) return true;
  }
  return false;
}
const SIGNOFF = new RegExp(`(?:regards|sincerely|thanks|thank you|cheers|best|yours|respectfully|warmly),?\\s{0,3}\\n\\s{0,3}[>*-]?\\s{0,2}(${NAME})`, 'giu');
const HEADER_LINE = new RegExp(`^[ \\t>?*-]{0,4}(${TOKEN}(?:\\s(?:${INITIAL}|${PARTICLE}|${TOKEN}|\\p{Lu}\\b)){1,3})[ \\t]*\\n`, 'u');
const LU = /\p{Lu}/u;
const LL = /\p{Ll}/u;
const LETTER = /\p{L}/u;
const PARTICLE_WORDS = new Set(['van', 'von', 'de', 'da', 'del', 'della', 'der', 'den', 'di', 'du', 'le', 'la', 'dos', 'das', 'bin', 'ibn', 'al', 'el', 'ter', 'ten']);
/** A lower-case ASCII word of at most five letters packed into a number, five bits a letter. */
const packWord = (text: string, s: number, e: number): number => {
  let k = 0;
  for (let i = s; i < e; i++) k = k * 32 + (codeOr(text, i) - 96);
  return k;
};
/** PARTICLE_WORDS packed (looked up without slicing the word). */
const PARTICLE_KEYS = new Set([...PARTICLE_WORDS].map((w) => packWord(w, 0, w.length)));

const isUpper = (c: number): boolean => (c >= 65 && c <= 90) || (c > 127 && LU.test(String.fromCharCode(c)));
const isLower = (c: number): boolean => (c >= 97 && c <= 122) || (c > 127 && LL.test(String.fromCharCode(c)));
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c > 127 && LETTER.test(String.fromCharCode(c)));
const isApos = (c: number): boolean => c === 39 || c === 0x2019;

/** End of the name token starting at `i` (a capital), or -1. Possessive 's is left out. */
function tokenEnd(text: string, i: number): number {
  const n = text.length;
  if (i + 1 >= n) return -1;
  const c1 = codeOr(text, i + 1);
  // A capital, then a lower-case letter, or an apostrophe and a capital ("O'Brien", not "I'm").
  if (!isLower(c1) && !(isApos(c1) && isUpper(codeOr(text, i + 2)))) return -1;
  let j = i + 2;
  while (j < n && j - i < 26) {
    const c = codeOr(text, j);
    // A contraction ends the word ("You’ve" is "You"); a possessive 's is cut below.
    if (isApos(c) && isLower(codeOr(text, j + 1)) && !((codeOr(text, j + 1) | 32) === 115 && !isLetter(codeOr(text, j + 2)))) break;
    if (isLetter(c) || isApos(c) || c === 45) j++;
    else break;
  }
  if (j - i >= 26) return -1;
  if (j - i > 3 && (codeOr(text, j - 1) === 115 || codeOr(text, j - 1) === 83) && isApos(codeOr(text, j - 2))) j -= 2;
  while (j > i + 2 && (isApos(codeOr(text, j - 1)) || codeOr(text, j - 1) === 45)) j--;
  return j;
}

const stripDot = (w: string): string => (w.endsWith('.') ? w.slice(0, -1) : w);
const GIVEN = 1;
const GIVEN_AMBIGUOUS = 2;
const SURNAME = 4;
const SURNAME_AMBIGUOUS = 8;
/** A second-tier given name: with a surname, an initial, a cue or in a list, not alone. */
const GIVEN_MORE = 16;
/** List flags per word as written; a bounded cache, since the same words recur. */
const flagCache = new Map<string, number>();
/** nameFlags of the word text[start, end), ruling out unlisted ASCII words without slicing them. */
function nameFlagsAt(text: string, start: number, end: number): number {
  if (!maybeListed(text, start, end)) return surnameShapedAt(text, start, end) ? SURNAME : 0;
  return nameFlags(text.slice(start, end));
}
function nameFlags(w: string): number {
  let f = flagCache.get(w);
  if (f === undefined) {
    const k = foldName(w);
    f = (FIRST_NAMES.has(k) ? GIVEN : 0) | (AMBIGUOUS_NAMES.has(k) ? GIVEN_AMBIGUOUS : 0) | (SURNAMES.has(k) ? SURNAME : 0) | (AMBIGUOUS_SURNAMES.has(k) ? SURNAME_AMBIGUOUS : 0) | (MORE_FIRST_NAMES.has(k) ? GIVEN_MORE : 0);
    // An unlisted word with a surname ending ("Vassiliev", "Ásgeirsdóttir") counts as a surname.
    if (f === 0 && surnameShaped(w)) f = SURNAME;
    if (flagCache.size >= 50_000) flagCache.clear();
    flagCache.set(w, f);
  }
  return f;
}

/** A capitalised run after trimming, with its verdict. */
interface Run {
  readonly start: number;
  readonly end: number;
  readonly words: readonly string[];
  /** 0 undecided, 1 person, -1 never a person (organisation, street...). */
  verdict: number;
  confidence: number;
  /** A listed given name or surname (ambiguous ones too): evidence for list propagation. */
  readonly weak: boolean;
  /** A firm: a company word in or after the run. */
  readonly org: boolean;
}

/**
 * Length of the particle words ("van", "de", "van der"...) at `p` when a capitalised word follows
 * them, else 0.
 */
function particleAt(text: string, p: number): number {
  let q = p;
  for (let k = 0; k < 2; k++) {
    let e = q;
    while (e < q + 6 && codeOr(text, e) >= 97 && codeOr(text, e) <= 122) e++;
    if (e === q || e - q > 5 || codeOr(text, e) !== 32 || !PARTICLE_KEYS.has(packWord(text, q, e))) return 0;
    if (isUpper(codeOr(text, e + 1))) return e - p;
    q = e + 1;
  }
  return 0;
}

/** Whether a run may continue after `e`: a space, then a capital or a particle before a capital. */
function runContinues(text: string, e: number): boolean {
  if (codeOr(text, e) !== 32) return false;
  const c = codeOr(text, e + 1);
  return isUpper(c) || (c >= 97 && c <= 122 && particleAt(text, e + 1) > 0);
}

/** Address unit words that end a name run ("Mrs. Ana Reis Suite 5"). */
const UNIT_WORDS = new Set(['Suite', 'Apt', 'Apartment', 'Unit', 'Box', 'Flat', 'Floor', 'Room']);

const isInitial = (w: string): boolean => w.length === 1 || (w.length === 2 && w.charCodeAt(1) === 46);

/** Read the capitalised run at `i` (a token ending at `first`): up to four words, initials and particles inside. */
function readRun(text: string, i: number, first: number): { start: number; end: number; words: string[] } {
  const words: string[] = [text.slice(i, first)];
  const starts: number[] = [i];
  let j = first;
  while (words.length < 4 && runContinues(text, j)) {
    const p = j + 1;
    const c = codeOr(text, p);
    if (isUpper(c)) {
      const e = tokenEnd(text, p);
      if (e > 0) {
        words.push(text.slice(p, e));
        starts.push(p);
        j = e;
        continue;
      }
      // An initial, "D." or a bare "D" followed by another word.
      const d = codeOr(text, p + 1);
      if ((d === 46 && !isLetter(codeOr(text, p + 2))) || (d === 32 && isUpper(codeOr(text, p + 2)))) {
        const e2 = d === 46 ? p + 2 : p + 1;
        words.push(text.slice(p, e2));
        starts.push(p);
        j = e2;
        continue;
      }
      break;
    }
    const e = p + particleAt(text, p);
    if (e > p) {
      const e2 = tokenEnd(text, e + 1);
      if (e2 > 0 && words.length < 3) {
        words.push(text.slice(p, e), text.slice(e + 1, e2));
        starts.push(p, e + 1);
        j = e2;
        continue;
      }
    }
    break;
  }
  // Trim stop words at both ends, and initials and particles at the end.
  let a = 0;
  let b = words.length;
  while (a < b && NAME_STOP.has(stripDot(words[a] as string))) a++;
  while (b > a && (NAME_STOP.has(stripDot(words[b - 1] as string)) || isInitial(words[b - 1] as string) || PARTICLE_WORDS.has(words[b - 1] as string) || UNIT_WORDS.has(stripDot(words[b - 1] as string)))) b--;
  if (a >= b) return { start: i, end: i, words: [] };
  const kept = a === 0 && b === words.length ? words : words.slice(a, b);
  const start = starts[a] as number;
  return { start, end: (starts[b - 1] as number) + (words[b - 1] as string).length, words: kept };
}

/**
 * Decide a run from its words and the text around it: 1 person (confidence in judgedConfidence),
 * 0 undecided (may still be taken from the text's other names), -1 not a person.
 */
let judgedConfidence = 0;
/** Whether the last judged run holds a listed given name or surname (ambiguous ones too). */
let judgedListed = false;
/** Whether the last run judged -1 is a firm (a company word in or right after it). */
let judgedOrg = false;
function judgeRun(text: string, start: number, end: number, words: readonly string[]): number {
  const k = words.length;
  let initials = 0;
  judgedConfidence = 0;
  judgedListed = false;
  judgedOrg = false;
  for (const w of words) {
    const bare = stripDot(w);
    if (NOT_PERSON.has(bare)) {
      judgedOrg = ORG_WORDS.has(bare);
      return -1;
    }
    if (isInitial(w)) initials++;
  }
  const first = words[0] as string;
  const last = words[k - 1] as string;
  if (STREET_WORDS.has(last)) return -1;
  if (codeOr(text, end) === 32) {
    const c = codeOr(text, end + 1);
    if (isUpper(c)) {
      const e = tokenEnd(text, end + 1);
      const next = e > 0 ? text.slice(end + 1, e) : text.slice(end + 1, end + 4);
      if (STREET_WORDS.has(next)) return -1; // "Marina Fort Street"
      if (ORG_WORDS.has(next) || (e < 0 && (next === 'LLC' || next === 'PLC' || next === 'LLP' || next.startsWith('AG')))) {
        judgedOrg = true; // "Shepherd Ltd.", "Miller Orchestra"
        return -1;
      }
    } else if (c === 97 || c === 38) {
      if (/^ (?:and|&) (?:Sons|Co\b|Company|Partners|Associates)/.test(text.slice(end, end + 16))) return -1;
    } else if (k > 1 && c >= 48 && c <= 57 && /^ \d{1,5}[A-Za-z]?(?=\s*(?:$|[,.\n]))/.test(text.slice(end, end + 12))) {
      return -1; // "Peter Zuidhove 188": a street named after a person, with its house number
    }
  }
  const f = nameFlagsAt(text, start, start + first.length);
  const l = k === 1 ? f : nameFlagsAt(text, end - last.length, end);
  judgedListed = ((f | l) & (GIVEN | SURNAME | GIVEN_MORE)) !== 0;
  const given = k > 1 ? (f & (GIVEN | GIVEN_MORE)) !== 0 : (f & GIVEN) !== 0 && (f & GIVEN_AMBIGUOUS) === 0;
  const cue = personCue(text, start, end);
  if (cue === 3) return judged(0.9);
  if (given) return judged(0.7);
  if (k > 1 && initials > 0) return judged(0.7); // "Faina D. Yefremova"
  if ((l & SURNAME) !== 0 && (l & SURNAME_AMBIGUOUS) === 0) return judged(0.7);
  // An unlisted plural ("Americans", "Muslims") names a group, not a person; not after a given
  // word and a cue ("was called Yulan Peres").
  if (last.length > 3 && last.endsWith('s') && !last.endsWith('ss') && !(k > 1 && cue === 2 && cueBefore) && (l & (GIVEN | GIVEN_MORE)) === 0) return 0;
  if (k === 1) {
    if (first.length < 3 || NOT_NAME.has(first)) return 0;
    // "the Packager, said": a role or a thing after "the", not a name.
    if (start >= 4 && codeOr(text, start - 1) === 32 && text.startsWith('the', start - 4) && !isLetter(codeOr(text, start - 5))) return 0;
    if (cue === 2) return judged(0.8);
    // Calling out to someone: "Don't go to town, Mark!" (a listed name, common-word ones too).
    if ((f & (GIVEN | GIVEN_MORE)) !== 0 && codeOr(text, end) === 33 && codeOr(text, start - 1) === 32 && codeOr(text, start - 2) === 44) return judged(0.6);
    // Addressing someone at the start of a line: "Bryce, can I speak to your boss?"
    if ((start === 0 || codeOr(text, start - 1) === 10) && VOCATIVE_AFTER.test(text.slice(end, end + 12))) return judged(0.6);
    return 0;
  }
  // Two or three unlisted words with a person cue next to them.
  return k <= 3 && cue > 0 ? judged(cue === 2 ? 0.8 : 0.7) : 0;
}

const judged = (confidence: number): number => {
  judgedConfidence = confidence;
  return 1;
};

/**
 * Token pass over capitalised runs, judged one by one. A charCode loop finds each candidate
 * capital (a superset of \p{Lu}: A-Z, U+00C0-U+00DE, U+0100-U+024F, U+0370-U+052F), confirmed by tokenEnd. (Kept out of the finder: small functions get optimised sooner.)
 */
/** Candidate capitals for collectRuns: A-Z, U+00C0-U+00DE, U+0100-U+024F, U+0370-U+052F (a superset of \p{Lu}). */
const CAPITAL = /[A-Z\u00C0-\u00DE\u0100-\u024F\u0370-\u052F]/g;
function collectRuns(text: string): Run[] {
  const runs: Run[] = [];
  let pos = 0; // where the search for the next capital resumes
  while (runs.length < MAX_CANDIDATES) {
    // The next candidate capital: a native search (test, which builds no match array) skips the
    // lower-case text several times faster than a charCode loop.
    CAPITAL.lastIndex = pos;
    if (!CAPITAL.test(text)) break;
    const i = CAPITAL.lastIndex - 1;
    pos = i + 1;
    if (i > 0) {
      const p = codeOr(text, i - 1);
      if ((p >= 97 && p <= 122) || (p >= 65 && p <= 90) || isApos(p) || p === 45 || (p > 127 && isLetter(p))) continue;
    }
    const e = tokenEnd(text, i);
    if (e < 0) continue;
    // Fast path: a lone word; a short, stop or unit word ("The", "What", "Ok", "Suite") is no run.
    if (!runContinues(text, e)) {
      pos = e;
      if (e - i < 3) continue;
      const w = text.slice(i, e);
      if (NAME_STOP.has(w) || UNIT_WORDS.has(w)) continue;
      const words = [w];
      const verdict = judgeRun(text, i, e, words);
      runs.push({ start: i, end: e, words, verdict, confidence: judgedConfidence, weak: judgedListed, org: judgedOrg });
      continue;
    }
    const r = readRun(text, i, e);
    pos = Math.max(e, r.end);
    if (r.words.length === 0) continue;
    const verdict = judgeRun(text, r.start, r.end, r.words);
    runs.push({ start: r.start, end: r.end, words: r.words, verdict, confidence: judgedConfidence, weak: judgedListed, org: judgedOrg });
  }
  return runs;
}

/** Whether text[a, b) joins two list items: ", ", " and ", ", and " or ", & " (charCodes, no slice). */
function listGap(text: string, a: number, b: number): boolean {
  const c = codeOr(text, a);
  switch (b - a) {
    case 2:
      return c === 44 && codeOr(text, a + 1) === 32;
    case 4:
      return c === 44 && text.startsWith(' & ', a + 1);
    case 5:
      return text.startsWith(' and ', a);
    case 6:
      return c === 44 && text.startsWith(' and ', a + 1);
    default:
      return false;
  }
}

/**
 * Whether a list of three one-word runs ("Owens, Duran and Oneal") fills a line on its own: the
 * way firms are written in letterheads and signatures, not people.
 */
function firmLine(text: string, grp: readonly Run[]): boolean {
  if (grp.length !== 3 || grp.some((r) => r.words.length !== 1)) return false;
  const first = grp[0] as Run;
  const last = grp[2] as Run;
  if (!/^, \S+,? (?:and|&) $/.test(text.slice(first.end, last.start)) && !/^, $/.test(text.slice(first.end, (grp[1] as Run).start))) return false;
  let b = first.start - 1;
  while (b >= 0 && (codeOr(text, b) === 32 || codeOr(text, b) === 62 || codeOr(text, b) === 9)) b--;
  if (b >= 0 && codeOr(text, b) !== 10) return false;
  const c = codeOr(text, last.end);
  return last.end === text.length || c === 10 || c === 13;
}

/**
 * Names in a list ("Kowalski, Becker and Nagy") or in dialogue ("Anna: ...\nEmil: ...") are names
 * together: when two or more of them are listed names and one is taken, take the rest.
 */
function takeGroups(text: string, runs: Run[], known: Set<string>, dialogue: boolean): void {
  const groups: Run[][] = [];
  let cur: Run[] = [];
  for (const r of runs) {
    const prev = cur[cur.length - 1];
    if (prev !== undefined && listGap(text, prev.end, r.start)) cur.push(r);
    else {
      if (cur.length > 1) groups.push(cur);
      cur = [r];
    }
  }
  if (cur.length > 1) groups.push(cur);
  let speakerGroup: Run[] | undefined;
  if (dialogue) {
    const speakers = runs.filter((r) => r.words.length === 1 && codeOr(text, r.end) === 58 && (r.start === 0 || /\n[ \t>]*$/.test(text.slice(Math.max(0, r.start - 4), r.start))));
    if (speakers.length > 1) {
      groups.push(speakers);
      speakerGroup = speakers;
    }
  }
  for (const grp of groups) {
    // A firm named by a list of surnames: "Clark, Romero and Hall Orchestra", or such a list on a
    // line of its own ("Barnett, Melton and Garcia" in a letterhead).
    if (grp !== speakerGroup && (grp.some((r) => r.org) || firmLine(text, grp))) {
      for (const r of grp) r.verdict = -1;
      continue;
    }
    if (grp.some((r) => r.verdict === -1 || r.words.length > 3)) continue;
    let listed = 0;
    for (const r of grp) if (r.weak || r.verdict === 1) listed++;
    // Two or more listed names, one of them taken; or, in a list of two, one taken listed name.
    const taken = grp.some((r) => r.verdict === 1 && r.weak);
    const pair = grp.length === 2 && /^ (?:and|&) $/.test(text.slice((grp[0] as Run).end, (grp[1] as Run).start));
    // Speakers of a dialogue ("Koppány: ...\nElizabeth: ..."): one taken listed name takes the others.
    if (!(listed >= 2 && grp.some((r) => r.verdict === 1)) && !(pair && taken) && !(grp === speakerGroup && taken)) continue;
    for (const r of grp) {
      if (r.verdict !== 0 || NOT_NAME.has(r.words[0] as string)) continue;
      r.verdict = 1;
      r.confidence = 0.6;
      for (const w of r.words) if (w.length > 2) known.add(w);
    }
  }
}

/** Whether the text has a capital letter (ASCII first, then any script). */
const hasUpper = (t: string): boolean => ASCII_UPPER.test(t) || (NON_ASCII.test(t) && /\p{Lu}/u.test(t));
const ASCII_UPPER = /[A-Z]/;
const NON_ASCII = /[\u0080-\uffff]/;
/** Lower-case words that are never names in a lower-case list or pair. */
const LOWER_STOP = new Set(['and', 'or', 'the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'is', 'was', 'are', 'i', 'you', 'he', 'she', 'we', 'they', 'it', 'me', 'him', 'her', 'us', 'them']);

/**
 * Names in a text written all in lower case (chat, forms): a listed given name and a surname
 * ("naomi ryan", "olga krylova"), a listed given name with a person cue ("calls me nina"), and
 * lists of single words of which most are listed given names ("silvana, adam, kristina and
 * caleb"); then other mentions of the words found.
 */
function lowerNames(text: string, known: Set<string>, emit: (start: number, end: number, confidence: number) => void): void {
  const starts: number[] = [];
  const ends: number[] = [];
  const n = text.length;
  for (let i = 0; i < n && starts.length < MAX_CANDIDATES * 4; ) {
    const c = codeOr(text, i);
    if (!((c >= 97 && c <= 122) || (c > 127 && isLetter(c)))) {
      i++;
      continue;
    }
    if (i > 0 && (isApos(codeOr(text, i - 1)) || codeOr(text, i - 1) === 45)) {
      while (i < n && isLetter(codeOr(text, i))) i++;
      continue;
    }
    let j = i + 1;
    while (j < n && (isLetter(codeOr(text, j)) || (codeOr(text, j) === 45 && isLetter(codeOr(text, j + 1))))) j++;
    starts.push(i);
    ends.push(j);
    i = j;
  }
  const m = starts.length;
  // Flags per word, computed when first asked (-1 before): most words are never asked about twice
  // and most are ruled out by maybeListed alone.
  const flags: number[] = new Array<number>(m).fill(-1);
  const wordAt = (k: number): string => text.slice(starts[k] as number, ends[k] as number);
  const flagsOf = (k: number): number => {
    let f = flags[k] as number;
    if (f < 0) {
      const len = (ends[k] as number) - (starts[k] as number);
      f = flags[k] = len < 3 || len > 20 ? 0 : nameFlagsAt(text, starts[k] as number, ends[k] as number);
    }
    return f;
  };
  // (a given name is a listed word: an unlisted word is ruled out without its surname-shape test)
  const given = (k: number): boolean => {
    if ((flags[k] as number) < 0 && !maybeListed(text, starts[k] as number, ends[k] as number)) return false;
    const f = flagsOf(k);
    return (f & (GIVEN | GIVEN_MORE)) !== 0 && (f & GIVEN_AMBIGUOUS) === 0;
  };
  const surname = (k: number): boolean => (flagsOf(k) & SURNAME) !== 0 && (flagsOf(k) & SURNAME_AMBIGUOUS) === 0;
  const gap = (k: number): string => text.slice(ends[k] as number, starts[k + 1] as number);
  // Gaps and "and" by charCodes (these are asked about every word).
  const spaceGap = (k: number): boolean => (starts[k + 1] as number) - (ends[k] as number) === 1 && codeOr(text, ends[k] as number) === 32;
  const commaGap = (k: number): boolean => {
    const e = ends[k] as number;
    return (starts[k + 1] as number) - e === 2 && codeOr(text, e) === 44 && codeOr(text, e + 1) === 32;
  };
  const isAnd = (k: number): boolean => {
    const s0 = starts[k] as number;
    return (ends[k] as number) - s0 === 3 && text.startsWith('and', s0);
  };
  const found: number[] = [];
  // Lists: single words joined by ", " and a final "and".
  let k = 0;
  while (k < m) {
    let e = k;
    let and = false;
    while (e + 1 < m) {
      if (commaGap(e)) e++;
      else if (spaceGap(e) && isAnd(e + 1) && e + 2 < m && spaceGap(e + 1)) {
        and = true;
        e += 2;
        break;
      } else if (spaceGap(e) && e > k && isAnd(e)) {
        and = true; // ", and" with the comma
        e++;
        break;
      } else break;
    }
    // ", and" written with the comma: the word "and" sits inside the list.
    const items: number[] = [];
    if (and) for (let x = k; x <= e; x++) if (!isAnd(x)) items.push(x);
    if (and && items.length >= 3) {
      let listed = 0;
      for (const x of items) if (given(x)) listed++;
      if (listed >= 2 && listed * 2 >= items.length) for (const x of items) if (!LOWER_STOP.has(wordAt(x))) found.push(starts[x] as number, ends[x] as number);
    }
    k = e + 1;
  }
  for (let x = 0; x < m; x++) {
    if (!given(x)) continue;
    // A given name, an optional initial, and a surname.
    let y = x + 1;
    if (y < m && spaceGap(x) && (ends[y] as number) - (starts[y] as number) === 1 && y + 1 < m && /^\.? $/.test(gap(y))) y++;
    if (y < m && /^\.? $|^ $/.test(gap(y - 1)) && (surname(y) || ((y > x + 1 || lineAlone(text, starts[x] as number, ends[y] as number)) && !LOWER_STOP.has(wordAt(y)) && flagsOf(y) === 0))) {
      found.push(starts[x] as number, ends[y] as number);
      x = y;
      continue;
    }
    if (personCue(text, starts[x] as number, ends[x] as number) === 2) found.push(starts[x] as number, ends[x] as number);
  }
  // A surname alone after a strong cue ("her maiden name is nyberg").
  for (let x = 0; x < m; x++) {
    if (surname(x) && !given(x) && personCue(text, starts[x] as number, ends[x] as number) === 2) found.push(starts[x] as number, ends[x] as number);
  }
  if (found.length === 0 && known.size === 0) return;
  for (let f = 0; f < found.length; f += 2) emit(found[f] as number, found[f + 1] as number, 0.6);
  // Other mentions of the words found ("... but everyone calls me borna").
  for (let x = 0; x < m; x++) if (known.has(wordAt(x))) emit(starts[x] as number, ends[x] as number, 0.6);
}

/** Whether [start, end) fills its line (spaces and "> ? * -" marks aside): a name line of a form or signature. */
function lineAlone(text: string, start: number, end: number): boolean {
  let b = start - 1;
  while (b >= 0 && (codeOr(text, b) === 32 || codeOr(text, b) === 9 || codeOr(text, b) === 62 || codeOr(text, b) === 63 || codeOr(text, b) === 42 || codeOr(text, b) === 45)) b--;
  if (b >= 0 && codeOr(text, b) !== 10) return false;
  let e = end;
  while (e < text.length && (codeOr(text, e) === 32 || codeOr(text, e) === 9 || codeOr(text, e) === 13)) e++;
  return e === text.length || codeOr(text, e) === 10;
}

const personName: Finder = {
  entity: 'person-name',
  // (a text without capitals goes to the phrase rules and the lower-case rules)
  gate: (t) => t.length > 2,
  find(text, push) {
    const known = new Set<string>(); // words of names found in this text
    const emit = (start: number, end: number, confidence: number, data: Record<string, string | boolean> = {}): void => {
      if (end <= start) return;
      push('person-name', start, end, 'low', confidence, data);
      for (const w of text.slice(start, end).split(' ')) if (w.length > 2 && !NOT_NAME.has(w)) known.add(w);
    };
    // Phrase rules: the phrase says a name follows; the name is trimmed and checked like a run.
    const put = (m: RegExpExecArray, group: string, confidence: number): void => {
      const at = m.index + m[0].lastIndexOf(group);
      if (!isUpper(codeOr(text, at))) {
        // Lower-case names after a label ("Name: jan kowalski") are taken as they are.
        const v = group.replace(/['’]s$/, '');
        if (v.length > 1) emit(at, at + v.length, confidence);
        return;
      }
      const e = tokenEnd(text, at);
      if (e < 0) return;
      const r = readRun(text, at, e);
      if (r.words.length === 0 || r.words.some((w) => NOT_PERSON.has(stripDot(w)))) return;
      emit(r.start, r.end, confidence);
    };
    const colon = text.includes(':');
    const newline = text.includes('\n');
    if (colon) labelMatches(text, (m) => put(m, (m[1] ?? '').trim(), 0.85));
    if (newline && signoffGate(text)) forMatches(SIGNOFF, text, (m) => put(m, m[1] ?? '', 0.8));
    if (hasNameWord(text)) {
      if (myNameGate(text)) {
        forMatches(MY_NAME_LOWER, text, (m) => {
          const g = m[1] ?? '';
          const start = m.index + m[0].length - g.length;
          emit(start, start + g.length, 0.9, { context: 'my name is' });
        });
      }
      if (text.includes('?')) forMatches(NAME_ANSWER, text, (m) => put(m, m[1] ?? '', 0.8));
    }
    if (newline) {
      const header = HEADER_LINE.exec(text);
      if (header !== null && text.indexOf('\n', header[0].length) !== -1) put(header, header[1] ?? '', 0.7);
    }

    if (!hasUpper(text)) {
      lowerNames(text, known, emit);
      return;
    }
    const runs = collectRuns(text);
    if (runs.length === 0) return;
    for (const r of runs) if (r.verdict === 1) for (const w of r.words) if (w.length > 2 && !NOT_NAME.has(w)) known.add(w);
    takeGroups(text, runs, known, newline && colon);
    // A run sharing a word with a name found in the same text is that person again.
    for (const r of runs) {
      if (r.verdict === 1) emit(r.start, r.end, r.confidence);
      else if (r.verdict === 0 && known.size > 0 && r.words.some((w) => known.has(w) && !NOT_NAME.has(w))) emit(r.start, r.end, 0.6, { repeated: true });
    }
  },
};

/** Finders in priority order: earlier entities win overlapping spans. */
export const PII_FINDERS: readonly Finder[] = [email, iban, creditCard, usSsn, ipAddress, phone, dateOfBirth, streetAddress, personName];

/** Find PII in `text`; overlapping hits are resolved by entity priority, then ordered by position. */
export function scanPii(text: string, entities?: ReadonlySet<PiiEntity>): PiiHit[] {
  const accepted: PiiHit[] = [];
  for (const f of PII_FINDERS) {
    if (entities !== undefined && !entities.has(f.entity)) continue;
    if (!f.gate(text)) continue;
    // (one push function for all finders and texts, on module state: no closure per finder call)
    pushText = text;
    pushAccepted = accepted;
    pushMine.length = 0;
    f.find(text, pushHit);
    for (const h of pushMine) accepted.push(h);
    pushMine.length = 0;
    pushAccepted = NO_HITS;
    pushText = '';
  }
  if (accepted.length > 1) accepted.sort((a, b) => a.start - b.start || a.end - b.end);
  return accepted;
}

const NO_HITS: PiiHit[] = [];
let pushText = '';
let pushAccepted: PiiHit[] = NO_HITS;
/** The current finder's hits (one array, emptied for each finder). */
const pushMine: PiiHit[] = [];
/** The Push given to every finder: refuses a hit overlapping an accepted one or an earlier one of the same finder. */
const pushHit: Push = (entity, start, end, severity, confidence, data = {}) => {
  if (end <= start) return false;
  for (const h of pushAccepted) if (h.start < end && start < h.end) return false;
  for (const h of pushMine) if (h.start < end && start < h.end) return false; // same finder: first wins
  pushMine.push({ entity, start, end, value: pushText.slice(start, end), severity, confidence, data });
  return true;
};

/** Typed placeholder for each entity, used by `redactPii`. */
export const PII_PLACEHOLDERS: Readonly<Record<PiiEntity, string>> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  'credit-card': '[CREDIT_CARD]',
  iban: '[IBAN]',
  'us-ssn': '[US_SSN]',
  'ip-address': '[IP_ADDRESS]',
  'street-address': '[ADDRESS]',
  'date-of-birth': '[DATE_OF_BIRTH]',
  'person-name': '[PERSON]',
};

/** Replace each PII value in `text` with its typed placeholder (`[EMAIL]`, `[PHONE]`, ...). */
export function redactPii(text: string, entities?: ReadonlySet<PiiEntity>): string {
  const hits = scanPii(text, entities);
  if (hits.length === 0) return text;
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + PII_PLACEHOLDERS[h.entity];
    at = h.end;
  }
  return out + text.slice(at);
}

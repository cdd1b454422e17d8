/**
 * PII entity finders. Each finder is a candidate regex (linear-time: bounded quantifiers, guarded
 * starts) followed by a validity check and, where a bare pattern is too weak, a context check.
 * Findings never carry raw values outside `PiiHit.value`, which callers must not print.
 */
import type { Severity } from '../../types.js';
import { cardIssuer, ibanValid, ipv4Scope, ipv6Scope, luhnValid, ssnValid, TEST_CARDS } from './checks.js';
import { AMBIGUOUS_NAMES, FIRST_NAMES, foldName } from './names.js';

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

type Push = (entity: PiiEntity, start: number, end: number, severity: Severity, confidence: number, data?: Record<string, string | number | boolean>) => void;

interface Finder {
  readonly entity: PiiEntity;
  /** Cheap gate on the raw text. */
  readonly gate: (text: string) => boolean;
  readonly find: (text: string, push: Push) => void;
}

const MAX_CANDIDATES = 2000; // per finder and text: bounds work on adversarial fields

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(text); m !== null && n < MAX_CANDIDATES; m = re.exec(text), n++) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

const before = (text: string, at: number, n: number): string => text.slice(Math.max(0, at - n), at).toLowerCase();
const hasDigit = (text: string): boolean => /\d/.test(text);

// ── email ─────────────────────────────────────────────────────────────────────────────────────
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const EXAMPLE_DOMAIN = /@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|example|test|invalid|localhost)$/i;

const email: Finder = {
  entity: 'email',
  gate: (t) => t.includes('@'),
  find(text, push) {
    for (const m of matches(EMAIL, text)) {
      const v = m[0];
      if (EXAMPLE_DOMAIN.test(v)) push('email', m.index, m.index + v.length, 'info', 0.9, { example: true });
      else push('email', m.index, m.index + v.length, 'medium', 0.97);
    }
  },
};

// ── credit card ───────────────────────────────────────────────────────────────────────────────
const CARD = /(?<![\d.,-])\d(?:[ -]?\d){11,18}(?![\d-])/g;
const CARD_CONTEXT = /\b(?:card|credit|debit|visa|master ?card|amex|american express|maestro|discover|jcb|diners|unionpay|cc|pan|payment|billing)\b/;

const creditCard: Finder = {
  entity: 'credit-card',
  gate: hasDigit,
  find(text, push) {
    for (const m of matches(CARD, text)) {
      const raw = m[0];
      const digits = raw.replace(/[ -]/g, '');
      if (!luhnValid(digits) || /^(\d)\1+$/.test(digits)) continue;
      const context = CARD_CONTEXT.test(before(text, m.index, 48));
      // Outside the published issuer ranges, a Luhn-valid number counts only when the text says card.
      const issuer = cardIssuer(digits) ?? (context && digits.length >= 12 ? 'unknown' : undefined);
      if (issuer === undefined) continue;
      // Grouped numbers must be grouped like cards (4-4-4-4, 4-6-5, 4-6-4), not like phones.
      if (raw.length !== digits.length) {
        const groups = raw.split(/[ -]/).map((g) => g.length).join(',');
        if (!/^(?:4,4,4,4(?:,[1-3])?|4,4,4,4,\d|4,6,5|4,6,4|4,4,4,\d|4,4,4,4,4)$/.test(groups)) continue;
      }
      // Maestro's 12-15 digit forms are too common among plain numbers without context.
      if (issuer === 'maestro' && !context) continue;
      const example = TEST_CARDS.has(digits);
      push('credit-card', m.index, m.index + raw.length, example ? 'info' : 'high', context ? (issuer === 'unknown' ? 0.8 : 0.97) : 0.85, {
        issuer,
        ...(example ? { example: true } : {}),
      });
    }
  },
};

// ── IBAN ──────────────────────────────────────────────────────────────────────────────────────
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

const iban: Finder = {
  entity: 'iban',
  gate: hasDigit,
  find(text, push) {
    for (const m of matches(IBAN, text)) {
      const compact = m[0].replace(/ /g, '').toUpperCase();
      if (!ibanValid(compact)) continue;
      push('iban', m.index, m.index + m[0].length, 'high', 0.98, { country: compact.slice(0, 2) });
    }
  },
};

// ── US SSN ────────────────────────────────────────────────────────────────────────────────────
const SSN = /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_CONTEXT = /\b(?:ssn|ss#|ss no|social security|social sec|taxpayer|tin)\b/;
const SSN_EXAMPLES = new Set(['078051120', '123456789', '219099999']); // SSA-voided advertising numbers

const usSsn: Finder = {
  entity: 'us-ssn',
  gate: hasDigit,
  find(text, push) {
    for (const m of matches(SSN, text)) {
      const [, area = '', sep = '', group = '', serial = ''] = m;
      if (!ssnValid(area, group, serial)) continue;
      const context = SSN_CONTEXT.test(before(text, m.index, 48));
      if (sep !== '-' && !context) continue; // bare 9 digits are only an SSN when the text says so
      const example = SSN_EXAMPLES.has(area + group + serial);
      push('us-ssn', m.index, m.index + m[0].length, example ? 'info' : 'high', context ? 0.95 : 0.7, example ? { example: true } : {});
    }
  },
};

// ── IP addresses ──────────────────────────────────────────────────────────────────────────────
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\.?\\d)`, 'g');
const IPV6 = /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])/g;
// Decision: a dotted quad right after a version word (version, v, release, build...) is a version
// number, not an address; so is one followed by a 5th component (excluded by the lookahead).
const VERSION_BEFORE = /(?:version|ver\.?|v|release|rel\.?|build|firmware|rev\.?|update|patch)\s?$/;

const scopeSeverity = (scope: string): Severity => (scope === 'public' ? 'medium' : scope === 'private' ? 'low' : 'info');

const ipAddress: Finder = {
  entity: 'ip-address',
  gate: (t) => t.includes('.') || t.includes(':'),
  find(text, push) {
    for (const m of matches(IPV4, text)) {
      if (VERSION_BEFORE.test(before(text, m.index, 12))) continue;
      const scope = ipv4Scope(m[0]);
      push('ip-address', m.index, m.index + m[0].length, scopeSeverity(scope), 0.9, { version: 4, scope });
    }
    if (!text.includes(':')) return;
    for (const m of matches(IPV6, text)) {
      const v = m[0];
      if ((v.match(/[0-9A-Fa-f]/g) ?? []).length < 4) continue;
      const scope = ipv6Scope(v);
      if (scope === undefined) continue;
      push('ip-address', m.index, m.index + v.length, scopeSeverity(scope), 0.9, { version: 6, scope });
    }
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
  gate: hasDigit,
  find(text, push) {
    for (const m of matches(PHONE, text)) {
      let v = m[0];
      let start = m.index;
      // A leading "(" belongs to the number only when it is closed inside it.
      if (v.startsWith('(') && !v.includes(')')) {
        v = v.slice(1);
        start += 1;
      }
      const core = v.replace(/\s?(?:x|ext\.?|#)\s?\d{1,6}$/, '');
      const digits = core.replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15) continue;
      if (DATE_LIKE.test(core) || DOTTED_QUAD.test(core) || /\d[ \t]{2,}\d|[./-]{2}/.test(core)) continue;
      const pre = before(text, start, 40);
      if (NOT_PHONE_BEFORE.test(pre.slice(-10))) continue;
      // Arithmetic ("63,000-16,000=47,000") is not a phone number.
      if (/[=*+×÷<>]\s?$/.test(pre) || /^\s?[=*+×÷<>]/.test(text.slice(start + v.length, start + v.length + 2))) continue;
      const groups = core.split(/[^\d]+/).filter((g) => g.length > 0);
      if (groups.length > 1 && groups.every((g) => /^(?:19|20)\d\d$/.test(g))) continue; // year lists
      const context = PHONE_CONTEXT.test(pre) || PHONE_AFTER.test(text.slice(start + v.length, start + v.length + 12).toLowerCase());
      let confidence = 0;
      let kind = '';
      if (/^(?:\+|00)/.test(core) && digits.length >= 8) [confidence, kind] = [0.9, 'international'];
      else if (NANP.test(core)) [confidence, kind] = [0.85, 'nanp'];
      else if (BR_MOBILE.test(core)) [confidence, kind] = [0.8, 'br'];
      else if (TRUNK.test(core) && digits.length >= 9 && digits.length <= 12) [confidence, kind] = [0.75, 'national'];
      else if (IN_MOBILE.test(core)) [confidence, kind] = [0.7, 'in'];
      else if (context && LOOSE.test(core) && digits.length <= 12) [confidence, kind] = [0.6, 'local'];
      if (confidence === 0) continue;
      if (context) confidence = Math.min(0.97, confidence + 0.15);
      push('phone', start, start + v.length, 'medium', confidence, { format: kind });
    }
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
  gate: (t) => /born|birth|dob|d\.o\.b/i.test(t),
  find(text, push) {
    for (const m of matches(DOB_TRIGGER, text)) {
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 60);
      const d = DATE_AFTER.exec(after);
      if (d === null || d[1] === undefined) continue;
      const start = m.index + m[0].length + d[0].length - d[1].length;
      const yearOnly = /^\d{4}$/.test(d[1]);
      push('date-of-birth', start, start + d[1].length, yearOnly ? 'low' : 'medium', yearOnly ? 0.6 : 0.9, {});
    }
  },
};

// ── street address ────────────────────────────────────────────────────────────────────────────
// Street suffixes: USPS Publication 28 (Appendix C) common forms and abbreviations.
const SUFFIX_EN =
  '(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Square|Sq|Terrace|Ter|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|Crescent|Close|Grove|Gardens?|Row|Walk|Mews|Hills?|Loop|Crossroad|Crossing|Greens?|Park|Alley|Plaza|Point|Ridge|Run|View|Heights|Estates?|Manor|Creek|Fork|Pass|Path|Pike|Port|Route|Rte|Summit|Valley|Village|Ville|Vista|Wells?|Junction|Knolls?|Landing|Lodge|Meadows?|Mills?|Mount|Orchard|Oval|Pines?|Prairie|Ranch|Rapids|Shores?|Springs?|Spur|Stream|Track|Tunnel|Turnpike|Underpass|Union|Viaduct|Views?|Expressway|Expy|Freeway|Fwy|Causeway|Bypass|Brook|Bridge|Canyon|Cove|Dale|Falls|Ferry|Fields?|Flats?|Ford|Forest|Glen|Harbor|Haven|Hollow|Island|Lake|Lakes|Mall|Mission|Motorway|Quay|Wharf|Wynd|Rise|Parade|Esplanade|Embankment|Broadway)';
// Continental street words as suffix of a compound (Hauptstraße, Koskikatu, Storgatan) or a word.
/** Alternation matching each word with a lower- or upper-case first letter (no inline (?i) in Node 20). */
const anyCase = (words: readonly string[]): string =>
  `(?:${words.map((w) => `[${w.charAt(0)}${w.charAt(0).toUpperCase()}]${w.slice(1).replace(/\./g, '\\.')}`).join('|')})`;
const SUFFIX_EU = anyCase([
  'straße', 'strasse', 'str.', 'gasse', 'weg', 'platz', 'allee', 'damm', 'ufer', 'steig', 'katu', 'kuja', 'polku',
  'gatan', 'vägen', 'gata', 'vej', 'vegen', 'veien', 'gade', 'stræde', 'laan', 'straat', 'plein', 'gracht', 'kade',
  'singel', 'utca', 'út', 'útja', 'tér', 'ulica', 'ulice', 'cesta', 'iela', 'gatve', 'sokak', 'caddesi', 'sokağı',
  'bulvarı', 'u.', 'tee', 'tänav',
]);
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
const STREET_CORES = [
  // 123 Main Street / 12 North Maple Ave.
  `${NUM}(?:[ ,]{1,2}${NUM})?\\s{1,2}(?:${W}\\s{1,2}){0,3}${SUFFIX_EN}\\.?(?![\\p{L}])`,
  // Hauptstraße 5 / Koskikatu 25 / Augsburger Strasse 36 (optionally preceded by a number)
  `(?:${NUM}\\s{1,2})?(?:${W}\\s{1,2}){0,2}[\\p{L}'-]{0,30}${SUFFIX_EU}\\s{1,2}${NUM}(?![\\p{L}\\d])`,
  // rue de la Paix 12 / 12 rue de la Paix / ul. Narewska 94 / Via Roma 12
  // (the word after the prefix is a capitalised name or a particle: "place team scored 2" is prose)
  `(?:${NUM},?\\s{1,2})?${STREET_PREFIX}\\s{1,2}(?:${PARTICLES}\\s{1,2}){0,2}\\p{Lu}(?:[\\p{L}'’.-]{0,30}\\s{1,2}){1,4}?${NUM}(?![\\p{L}\\d])`,
  `${NUM},?\\s{1,2}${STREET_PREFIX}\\s{1,2}(?:${PARTICLES}\\s{1,2}){0,2}\\p{Lu}[\\p{L}'’-]{0,30}(?:\\s[\\p{L}'’-]{1,30}){0,3}`,
  // P.O. Box 123 / PSC 1234, Box 5678 / Unit 1234 Box 5678 / USNS Vincent / APO AE 12345
  `(?:P\\.?\\s?O\\.?\\s?Box|PSC|Unit)\\s{1,2}\\d{1,5}(?:,?\\s{1,2}Box\\s{1,2}\\d{1,5})?`,
  `(?:USNS|USNV|USS|USCGC)\\s{1,2}${W}(?:\\s{0,2}\\n?\\s{0,2}[AF]PO\\s{1,2}A[AEP]\\s{1,2}\\d{5})?`,
  `[AF]PO\\s{1,2}A[AEP]\\s{1,2}\\d{5}`,
  // A unit alone ("Suite 838", "Apt. 297") is an address part; extendAddress and the backward
  // step below join it to its street line.
  `(?:Apt\\.?|Apartment|Suite|Ste\\.)\\s{0,2}\\d{1,5}[A-Za-z]?`,
];
// Line-shaped address: a line that starts with a house number and ends with a number, with 1-4
// words between ("5850 Jana Nerudy 894", "0104 Hafnarstraeti 5").
const ADDRESS_LINE = /(?:^|\n)[ \t>?*-]{0,4}(\d{1,6}[A-Za-z]?\s(?:\p{L}[\p{L}'’./-]{0,30}\s){1,4}\d{1,5}[A-Za-z]?\.?)(?=[ \t]*(?:\n|$|,))/gu;
const STREET = new RegExp(`(?<![\\p{L}\\d-])(?:${STREET_CORES.join('|')})${UNIT}?`, 'gu');
const STREET_GATE = /\d/;
// Context: "address: ...", "live at ...", "send it to ..."; the rest of the line is taken when it
// contains a house number.
const ADDRESS_CONTEXT = /\b(?:address(?![a-z])(?:\s+(?:is|of\s+[\p{Lu}][\p{L}.&' -]{0,40}\s+is))?|live\s+at|lives\s+at|living\s+at|located\s+at|reside\s+at|resides\s+at|ship(?:ped)?\s+to|deliver(?:ed)?\s+to|send\s+(?:it|them|a\s+new\s+one|the\s+\w+)\s+to|mail(?:ed)?\s+to|return\s+to|corner\s+of|meet\s+(?:you\s+|me\s+)?at|stop\s+at)\s*:?\s*\n?\s*/giu;
const CONTEXT_TAIL = /^[^\n?!;]{4,120}/u;

const streetAddress: Finder = {
  entity: 'street-address',
  gate: (t) => STREET_GATE.test(t),
  find(text, push) {
    for (const m of matches(STREET, text)) {
      const end = extendAddress(text, m.index + m[0].length);
      push('street-address', extendBack(text, m.index), end, 'medium', 0.8, {});
    }
    for (const m of matches(ADDRESS_LINE, text)) {
      const g = m[1] ?? '';
      const start = m.index + m[0].length - g.length;
      push('street-address', start, extendAddress(text, start + g.length), 'medium', 0.75, {});
    }
    for (const m of matches(ADDRESS_CONTEXT, text)) {
      const at = m.index + m[0].length;
      const tail = CONTEXT_TAIL.exec(text.slice(at, at + 160));
      if (tail === null) continue;
      let chunk = tail[0];
      const stop = chunk.search(/\.\s|\s(?:in case|after|for|because|and then|if|when|but|please|thanks)\b|,\s(?:can|could|please|is|was)\b/i);
      if (stop > 0) chunk = chunk.slice(0, stop);
      chunk = chunk.replace(/[\s.,]+$/, '');
      if (!/\d/.test(chunk) || !/\p{Lu}/u.test(chunk) || chunk.length < 5) continue;
      push('street-address', at, extendAddress(text, at + chunk.length), 'medium', 0.7, { context: true });
    }
  },
};

/**
 * Extend an address backwards over the street part before a unit ("Via Franscini 71 Suite 838"):
 * the same line's preceding text, when it holds a house number.
 */
function extendBack(text: string, start: number): number {
  const head = text.slice(Math.max(0, start - 60), start);
  if (!/^\s{0,2}$/.test(head.slice(-2)) || !/(?:Apt|Apartment|Suite|Ste)/.test(text.slice(start, start + 10))) return start;
  const lineStart = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(','), head.lastIndexOf('>'), head.lastIndexOf('?')) + 1;
  const part = head.slice(lineStart);
  const lead = part.length - part.trimStart().length;
  if (!/\d/.test(part) || !/\p{L}{2}/u.test(part) || part.trim().split(/\s+/).length > 7) return start;
  return start - head.length + lineStart + lead;
}

/** Extend an address over following unit, city, region, country and postcode lines or parts. */
function extendAddress(text: string, end: number): number {
  const LINE = /^(?:,|\n)[ \t>?*-]{0,3}(?:(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor)\s{0,2}\d{1,5}[A-Za-z]?|[\p{Lu}\d][\p{L}\d '’.()-]{1,40}?(?:,\s{0,2}[\p{Lu}][\p{L}.]{1,3})?)(?=\s{0,2}(?:,|\n|$|\.\s|\.$|\?))/u;
  for (let i = 0; i < 4; i++) {
    const m = LINE.exec(text.slice(end, end + 60));
    if (m === null) break;
    const part = m[0];
    // Only keep a continuation that looks like an address part: unit, postcode or place name with
    // a number, or a short capitalised place line in a multi-line block.
    if (!/\d/.test(part) && !part.startsWith('\n') && i > 0) break;
    if (part.split(/\s+/).length > 6) break;
    end += part.length;
  }
  return end;
}

// ── person name ───────────────────────────────────────────────────────────────────────────────
const TOKEN = "\\p{Lu}[\\p{Ll}'’-]{1,24}(?:-\\p{Lu}[\\p{Ll}'’]{1,24})?";
const INITIAL = '\\p{Lu}\\.';
const PARTICLE = "(?:van|von|de|da|del|della|der|den|di|du|le|la|dos|das|bin|ibn|al|el|ter|ten|o'|mac|st\\.)";
const NAME = `${TOKEN}(?: (?:${INITIAL}|${PARTICLE}|${TOKEN})){0,3}`;
const NAME_STOP = new Set([
  'The', 'A', 'An', 'And', 'Or', 'But', 'In', 'On', 'At', 'To', 'For', 'Of', 'With', 'From', 'By', 'Is', 'Was',
  'Street', 'Avenue', 'Road', 'Inc', 'Ltd', 'LLC', 'Corp', 'Company', 'University', 'Bank', 'Hospital',
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February',
  'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
  'I', 'My', 'Your', 'His', 'Her', 'Their', 'Our', 'We', 'He', 'She', 'They', 'It', 'This', 'That', 'Please',
  'Thanks', 'Thank', 'Hello', 'Hi', 'Dear', 'Yes', 'No', 'Not', 'Can', 'Could', 'Would', 'Should', 'Will',
  'Phone', 'Email', 'E-mail', 'Address', 'Website', 'Mobile', 'Fax', 'Desk', 'Personal', 'Info', 'Name',
  'Date', 'Customer', 'Service', 'Support', 'Team', 'Manager', 'Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'Sir', 'Here',
  'There', 'What', 'When', 'Where', 'Why', 'How', 'Who', 'Also', 'Just', 'Some', 'All', 'Any', 'Every',
]);
// Words that mark a capitalised sequence as an organisation or place rather than a person.
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
]);
const PERSON_BEFORE = /(?:\b(?:by|with|to|from|under|and|meet|ask|tell|thank|thanks|producer|singer|author|director|founder|ceo|mr|mrs|ms|dr|met|married|contact)\s|^\s*|\n[ \t>?*-]{0,4})$/i;
const PERSON_AFTER = /^(?:'s\b|,?\s(?:lives|lived|had|has|is\sfrom|was\sborn|said|says|wrote|writes|explained|listed|told|asked|replied|works|worked|joined|met|married|called|sent|gave|spent)\b)/;
const TITLE_NAME = new RegExp(`\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Madam|Mme|Mlle|Herr|Frau|Sr|Sra|Srta|Sig|Sig\\.ra)\\.?\\s(${NAME})`, 'gu');
const CONTEXT_NAME = new RegExp(
  `\\b(?:[Mm]y name is|[Nn]ame is|[Ii] am called|[Cc]all me|[Nn]amed|[Cc]alled|[Ss]igned|[Dd]ear|[Hh]i|[Hh]ello|[Tt]his is|[Ii]t'?s|[Ii] am|[Ii]'m|by|with|to|from|for|and)\\s(${NAME})`,
  'gu',
);
const LABEL_NAME = new RegExp(`(?:^|\\n)[ \\t>*-]{0,3}(?:[Nn]ame|[Ff]ull [Nn]ame|[Cc]ustomer|[Pp]atient|[Cc]ontact|[Aa]uthor|[Ff]rom|[Aa]ttn|[Ss]igned by|[Ee]mployee)\\s?:\\s{0,3}(${NAME}|[\\p{L}'’-]{2,25}(?:\\s[\\p{L}'’-]{2,25}){0,2})`, 'gu');
const MY_NAME_LOWER = /\bmy name is\s([\p{L}'’-]{2,25}(?:\s(?!is\b|and\b|i\b)[\p{L}'’-]{2,25}){0,2})/giu;
const SIGNOFF = new RegExp(`(?:regards|sincerely|thanks|thank you|cheers|best|yours|respectfully|warmly),?\\s{0,3}\\n\\s{0,3}[>*-]?\\s{0,2}(${NAME})`, 'giu');
const HEADER_LINE = new RegExp(`^[ \\t>?*-]{0,4}(${TOKEN}(?:\\s(?:${INITIAL}|${PARTICLE}|${TOKEN}|\\p{Lu}\\b)){1,3})[ \\t]*\\n`, 'u');
const CAP_TOKEN = new RegExp(`(?<![\\p{L}'’-])(${NAME})`, 'gu');

/** Trim stop words from both ends of a candidate name; returns [offset, length] or undefined. */
function trimName(s: string): [number, number] | undefined {
  const words = s.split(' ');
  let a = 0;
  let b = words.length;
  while (a < b && NAME_STOP.has((words[a] ?? '').replace(/[.']+$/, ''))) a++;
  while (b > a && NAME_STOP.has((words[b - 1] ?? '').replace(/[.']+$/, ''))) b--;
  if (a >= b) return undefined;
  const off = words.slice(0, a).join(' ').length + (a > 0 ? 1 : 0);
  const kept = words.slice(a, b).join(' ').replace(/['’]s$/, '');
  return [off, kept.length];
}

const personName: Finder = {
  entity: 'person-name',
  gate: (t) => /\p{Lu}/u.test(t) || /my name is/i.test(t),
  find(text, push) {
    const put = (m: RegExpExecArray, group: string, confidence: number, needListed: boolean): void => {
      const inner = m[0].lastIndexOf(group);
      const t = trimName(group);
      if (t === undefined) return;
      const start = m.index + inner + t[0];
      const value = text.slice(start, start + t[1]);
      const words = value.split(/\s/);
      if (words.some((w) => NOT_PERSON.has(w.replace(/\.$/, '')))) return;
      if (needListed) {
        const first = foldName(words[0] ?? '');
        const multi = words.length > 1;
        const listed = FIRST_NAMES.has(first) && (multi || !AMBIGUOUS_NAMES.has(first));
        // Unlisted: two or three capitalised words not all-caps ("Krisztián Szöllösy").
        // Unlisted names need a person cue next to them: a preposition or verb used of people.
        const end = start + t[1];
        const cue =
          PERSON_BEFORE.test(text.slice(Math.max(0, start - 14), start)) || PERSON_AFTER.test(text.slice(end, end + 24));
        const shaped = cue && multi && words.length <= 3 && words.every((w) => !/^\p{Lu}{2,}$/u.test(w));
        if (!listed && !shaped) return;
      }
      push('person-name', start, start + t[1], 'low', confidence, {});
    };
    for (const m of matches(TITLE_NAME, text)) put(m, m[1] ?? '', 0.9, false);
    for (const m of matches(LABEL_NAME, text)) put(m, (m[1] ?? '').trim(), 0.85, false);
    for (const m of matches(SIGNOFF, text)) put(m, m[1] ?? '', 0.8, false);
    for (const m of matches(MY_NAME_LOWER, text)) {
      const g = m[1] ?? '';
      const start = m.index + m[0].length - g.length;
      push('person-name', start, start + g.length, 'low', 0.9, { context: 'my name is' });
    }
    // Strong phrases accept any capitalised name; weak ones ("to", "with"...) need a listed first name.
    for (const m of matches(CONTEXT_NAME, text)) {
      const strong = /^(?:my name is|name is|i am called|call me|named|called|signed|dear)\s/i.test(m[0]);
      put(m, m[1] ?? '', strong ? 0.85 : 0.7, !strong);
    }
    const header = HEADER_LINE.exec(text);
    if (header !== null && text.indexOf('\n', header[0].length) !== -1) {
      put(header, header[1] ?? '', 0.7, false);
    }
    for (const m of matches(CAP_TOKEN, text)) put(m, m[1] ?? '', 0.7, true);
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
    const mine: PiiHit[] = [];
    f.find(text, (entity, start, end, severity, confidence, data = {}) => {
      if (end <= start) return;
      for (const h of accepted) if (h.start < end && start < h.end) return;
      for (const h of mine) if (h.start < end && start < h.end) return; // same finder: first wins
      mine.push({ entity, start, end, value: text.slice(start, end), severity, confidence, data });
    });
    accepted.push(...mine);
  }
  accepted.sort((a, b) => a.start - b.start || a.end - b.end);
  return accepted;
}

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

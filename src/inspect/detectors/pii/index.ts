/**
 * PII detector (id `pii`): emails, phone numbers, payment cards, IBANs, US SSNs, IP addresses,
 * street addresses, dates of birth and person names in context. Evidence is masked.
 */
import { fieldLocation } from '../../location.js';
import type { Finding, RecordDetector, RecordView } from '../../types.js';
import { scanPii } from './scan.js';
import type { PiiEntity, PiiHit } from './scan.js';

export { PII_PLACEHOLDERS, redactPii, scanPii } from './scan.js';
export type { PiiEntity, PiiHit } from './scan.js';
export { cardIssuer, ibanValid, luhnValid, ssnValid } from './checks.js';
export type { CardIssuer } from './checks.js';

export const PII_ENTITIES: readonly PiiEntity[] = [
  'email', 'phone', 'credit-card', 'iban', 'us-ssn', 'ip-address', 'street-address', 'date-of-birth', 'person-name',
];

export interface PiiDetectorOptions {
  /** Entities to look for (default: all). */
  readonly entities?: readonly PiiEntity[];
  /** Drop hits below this confidence (default 0.5). */
  readonly minConfidence?: number;
}

const TITLES: Readonly<Record<PiiEntity, string>> = {
  email: 'Email address',
  phone: 'Phone number',
  'credit-card': 'Payment card number',
  iban: 'IBAN',
  'us-ssn': 'US Social Security number',
  'ip-address': 'IP address',
  'street-address': 'Street address',
  'date-of-birth': 'Date of birth',
  'person-name': 'Person name',
};

/** Create the `pii` record detector. */
export function createPiiDetector(options: PiiDetectorOptions = {}): RecordDetector {
  const entities = options.entities === undefined ? undefined : new Set(options.entities);
  const minConfidence = options.minConfidence ?? 0.5;
  return {
    id: 'pii',
    kind: 'record',
    inspect(record: RecordView): Finding[] {
      const out: Finding[] = [];
      for (const field of record.fields) {
        for (const hit of scanPii(field.text, entities)) {
          if (hit.confidence >= minConfidence) out.push(toFinding(record, field.path, hit));
        }
      }
      return out;
    },
  };
}

function toFinding(record: RecordView, field: string, hit: PiiHit): Finding {
  const example = hit.data['example'] === true;
  return {
    detector: 'pii',
    rule: hit.entity,
    severity: hit.severity,
    confidence: hit.confidence,
    location: fieldLocation(record, field, hit.start, hit.end),
    message: example ? `${TITLES[hit.entity]} in ${field} (a documented test or example value).` : `${TITLES[hit.entity]} in ${field}.`,
    evidence: maskPii(hit.entity, hit.value),
    data: hit.data,
  };
}

const WS = /\s/;
const isSpace = (value: string, i: number): boolean => {
  const c = value.charCodeAt(i);
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && WS.test(value.charAt(i)));
};

/**
 * Mask each word to its first character and 2 to 6 stars; each whitespace run becomes one space
 * (as `split(/(\s+)/)` would give, including an empty word at either end).
 */
function maskWords(value: string): string {
  let out = '';
  let i = 0;
  const n = value.length;
  for (;;) {
    let j = i;
    while (j < n && !isSpace(value, j)) j++;
    out += value.charAt(i === j ? n : i) + '*'.repeat(Math.min(6, Math.max(2, j - i - 1)));
    if (j >= n) return out;
    while (j < n && isSpace(value, j)) j++;
    out += ' ';
    i = j;
  }
}

/** Mask a PII value for evidence: keep its shape and at most a couple of characters. */
export function maskPii(entity: PiiEntity, value: string): string {
  switch (entity) {
    case 'email': {
      const at = value.indexOf('@');
      const local = value.slice(0, at);
      const domain = value.slice(at + 1);
      const dot = domain.lastIndexOf('.');
      return `${local.charAt(0)}***@${domain.charAt(0)}***${domain.slice(dot)}`;
    }
    case 'credit-card':
    case 'iban':
    case 'phone':
    case 'us-ssn': {
      // Keep separators and the last 2 digits (4 for cards, as on receipts); star other digits.
      const keep = entity === 'credit-card' ? 4 : 2;
      let seen = 0;
      const total = (value.match(/[A-Za-z0-9]/g) ?? []).length;
      let out = '';
      for (const ch of value) {
        if (/[A-Za-z0-9]/.test(ch)) {
          seen++;
          out += seen > total - keep || (entity === 'iban' && seen <= 2) ? ch : '*';
        } else out += ch;
      }
      return out;
    }
    case 'ip-address':
      return value.includes(':') ? `${value.slice(0, value.indexOf(':'))}:****` : `${value.slice(0, value.indexOf('.'))}.*.*.*`;
    case 'date-of-birth':
      return value.replace(/\d/g, '#');
    case 'street-address':
    case 'person-name':
      return maskWords(value);
    default: {
      const never: never = entity;
      return never;
    }
  }
}

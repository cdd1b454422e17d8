/** Validity checks for structured PII: Luhn and card issuers, IBAN mod-97, SSN rules, IPs. */
import { isIPv6 } from 'node:net';

/** Luhn (ISO/IEC 7812-1 Annex B) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

export type CardIssuer = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay' | 'maestro';

/** Issuer by IIN prefix and length (published issuer ranges), or undefined when none fits. */
export function cardIssuer(d: string): CardIssuer | undefined {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if ((p4 === 2131 || p4 === 1800) && n === 15) return 'jcb'; // legacy JCB ranges
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && (n === 14 || n === 16)) return 'diners';
  if (p2 === 62 && n >= 16 && n <= 19) return 'unionpay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && n >= 12 && n <= 19) return 'maestro';
  return undefined;
}

/** Well-known test card numbers printed in payment-provider docs. */
export const TEST_CARDS: ReadonlySet<string> = new Set([
  '4111111111111111', '4242424242424242', '4012888888881881', '4000056655665556', '5555555555554444',
  '5105105105105100', '2223003122003222', '378282246310005', '371449635398431', '6011111111111117',
  '6011000990139424', '3530111333300000', '3566002020360505', '30569309025904', '38520000023237',
  '6200000000000005',
]);

/** IBAN length per country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
  GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27,
  MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24,
  XK: 20,
};

/** ISO 13616 check: move the first four characters to the end, letters to 10..35, mod 97 = 1. */
export function ibanValid(compactUpper: string): boolean {
  const len = IBAN_LENGTHS[compactUpper.slice(0, 2)];
  if (len === undefined || compactUpper.length !== len) return false;
  const s = compactUpper.slice(4) + compactUpper.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  return true;
}

/** Scope of an IPv4 address: private/loopback/link-local/reserved ranges vs public. */
export function ipv4Scope(ip: string): 'public' | 'private' | 'documentation' {
  const [a = 0, b = 0, c = 0] = ip.split('.').map(Number);
  if (a === 10 || a === 127 || a === 0 || a >= 224) return 'private';
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 168) return 'private';
  if (a === 169 && b === 254) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // CGNAT, RFC 6598
  // RFC 5737 documentation ranges.
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'documentation';
  return 'public';
}

const HEX_COLON = /^[0-9A-Fa-f:]*$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Groups of `part` (1-4 hex digits each, separated by single colons), or -1 when it is not that; 0 for ''. */
function hexGroups(part: string): number {
  if (part === '') return 0;
  const groups = part.split(':');
  for (const g of groups) if (!HEX_GROUP.test(g)) return -1;
  return groups.length;
}

/**
 * isIPv6 (node:net) for a string of hex digits and colons only (what the IPv6 candidate regex
 * matches; RFC 4291 §2.2 forms 1 and 2): eight groups, or fewer around one "::" that stands for
 * at least one group. node:net's own regex costs tens of milliseconds to compile in every process.
 */
function isIPv6HexColon(ip: string): boolean {
  const gap = ip.indexOf('::');
  if (gap < 0) return hexGroups(ip) === 8;
  if (ip.indexOf('::', gap + 1) >= 0) return false;
  const left = hexGroups(ip.slice(0, gap));
  const right = hexGroups(ip.slice(gap + 2));
  return left >= 0 && right >= 0 && left + right <= 7;
}

/** Scope of an IPv6 address (valid syntax as node:net's isIPv6 says). */
export function ipv6Scope(ip: string): 'public' | 'private' | 'documentation' | undefined {
  if (!(HEX_COLON.test(ip) ? isIPv6HexColon(ip) : isIPv6(ip))) return undefined;
  const l = ip.toLowerCase();
  if (l.startsWith('2001:db8:') || l.startsWith('2001:0db8:')) return 'documentation'; // RFC 3849
  if (l === '::1' || l === '::' || /^f[cd]/.test(l) || /^fe[89ab]/.test(l)) return 'private';
  return 'public';
}

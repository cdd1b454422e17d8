/**
 * Helpers shared by the report renderers: severity order, display sorting, location labels and
 * the sanitising of attacker-controlled strings. Everything a renderer prints (file names,
 * messages, evidence, rule ids) comes from the inspected data, so it is treated as hostile.
 */
import type { DetectorId, Finding, FindingLocation, InspectReport, Severity, TruncatedRule, Verdict } from '../types.js';

/** Severities from most to least severe. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Verdicts from best to worst. */
export const VERDICTS: readonly Verdict[] = ['accept', 'review', 'quarantine', 'reject'];

/** Detector ids in the order of DESIGN §5. */
export const DETECTOR_IDS: readonly DetectorId[] = [
  'schema',
  'secrets',
  'pii',
  'unicode',
  'injection',
  'duplicates',
  'contamination',
  'poisoning',
  'drift',
];

/** 4 for critical down to 0 for info; -1 for anything else (a malformed report still renders). */
export function severityRank(s: Severity): number {
  switch (s) {
    case 'critical':
      return 4;
    case 'high':
      return 3;
    case 'medium':
      return 2;
    case 'low':
      return 1;
    case 'info':
      return 0;
    default:
      return -1;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Findings worst first: severity, then confidence, then the report's own order (file, index, detector, rule). */
export function sortForDisplay(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        severityRank(b.f.severity) - severityRank(a.f.severity) ||
        safeNumber(b.f.confidence) - safeNumber(a.f.confidence) ||
        a.i - b.i,
    )
    .map((x) => x.f);
}

function safeNumber(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/** True for a positive safe integer (line and row numbers are 1-based). */
export function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
}

/** `file:line` for line formats, `file#index` otherwise (with the data row when known). */
export function locationLabel(loc: FindingLocation): string {
  if (isPositiveInt(loc.line)) return `${loc.file}:${loc.line}`;
  if (isPositiveInt(loc.row)) return `${loc.file}#${loc.index} (row ${loc.row})`;
  return `${loc.file}#${loc.index}`;
}

/** Confidence 0..1 as a whole percentage; out-of-range values are clamped. */
export function percent(c: number): string {
  const v = Number.isFinite(c) ? Math.min(1, Math.max(0, c)) : 0;
  return `${Math.round(v * 100)}%`;
}

/** 1234567 → "1,234,567" without depending on the host locale (reports are byte-stable). */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const [int = '0', frac] = String(Math.abs(Math.round(n * 100) / 100)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** Bytes in binary units with one decimal: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1024) return `${Number.isFinite(n) ? n : 0} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u] ?? 'PiB'}`;
}

/** Wall time of the run from the report's ISO timestamps, or undefined when they do not parse. */
export function durationMs(report: InspectReport): number | undefined {
  const a = Date.parse(report.startedAt);
  const b = Date.parse(report.finishedAt);
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : undefined;
}

/** Milliseconds as "850 ms" or "12.3 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Characters that must never reach a terminal or a page raw: C0/C1 controls (ESC starts ANSI and
 * OSC sequences, CR/LF forge extra lines), DEL, format characters (bidi overrides and isolates
 * reorder what a reviewer reads — CVE-2021-42574 "Trojan Source"; zero-width and tag characters
 * hide text), line/paragraph separators, private-use code points and lone surrogates.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/** The visible token shown in place of an invisible character, e.g. `<U+202E>`. */
export function codePointToken(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const cp = ch.codePointAt(0) ?? 0;
  return `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** Splits `s` into visible text and invisible characters, so each renderer can show the latter its own way. */
export function splitInvisible(s: string): Array<{ readonly text: string; readonly invisible: boolean }> {
  const parts: Array<{ text: string; invisible: boolean }> = [];
  let last = 0;
  for (const m of s.matchAll(INVISIBLE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: s.slice(last, at), invisible: false });
    parts.push({ text: m[0], invisible: true });
    last = at + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last), invisible: false });
  return parts;
}

/** `s` with every invisible or control character replaced by its visible token; safe on one terminal line. */
export function printable(s: string): string {
  return s.replace(INVISIBLE, codePointToken);
}

/** At most `max` code points of `s`, with an ellipsis when cut (never splits a surrogate pair). */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Counts of findings per file, computed from the findings (the report's own counts are per detector). */
export function findingsPerFile(findings: readonly Finding[]): Map<string, { count: number; worst: Severity }> {
  const out = new Map<string, { count: number; worst: Severity }>();
  for (const f of findings) {
    const cur = out.get(f.location.file);
    if (cur === undefined) out.set(f.location.file, { count: 1, worst: f.severity });
    else {
      cur.count++;
      if (severityRank(f.severity) > severityRank(cur.worst)) cur.worst = f.severity;
    }
  }
  return out;
}

/** Detector ids that appear in the report (stats, counts or findings), in DESIGN §5 order, unknown ones last. */
export function detectorsSeen(report: InspectReport): DetectorId[] {
  const seen = new Set<string>();
  for (const d of report.detectors) seen.add(d.detector);
  for (const k of Object.keys(report.counts.byDetector)) seen.add(k);
  for (const f of report.findings) seen.add(f.detector);
  const known = DETECTOR_IDS.filter((d) => seen.has(d));
  const extra = [...seen].filter((d) => !(DETECTOR_IDS as readonly string[]).includes(d)).sort(cmp) as DetectorId[];
  return [...known, ...extra];
}

/** The rules the report lists only in part (`report.truncated`), ignoring malformed entries. */
export function truncatedRules(report: InspectReport): TruncatedRule[] {
  const t: unknown = report.truncated;
  if (!Array.isArray(t)) return [];
  return (t as unknown[]).filter(
    (x): x is TruncatedRule =>
      typeof x === 'object' && x !== null && typeof (x as TruncatedRule).detector === 'string' && typeof (x as TruncatedRule).rule === 'string' &&
      typeof (x as TruncatedRule).shown === 'number' && typeof (x as TruncatedRule).total === 'number',
  );
}

/** "pii/email: showing 1,000 of 171,018" (raw: the caller escapes or makes it printable). */
export function truncationLabel(t: TruncatedRule): string {
  return `${t.detector}/${t.rule}: showing ${groupDigits(t.shown)} of ${groupDigits(t.total)}`;
}

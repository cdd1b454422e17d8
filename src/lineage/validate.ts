/** Argument checks shared by lineage writers: names, RFC 3339 times, windows. */
import { LineageError } from './errors.js';
import type { TimeWindow } from './types.js';

const MAX_NAME = 256;
// Control characters and the Unicode line/paragraph separators would let a name forge extra
// lines in terminal output and reports.
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Checks a node name (dataset, run, model, environment...): 1–256 printable characters. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME || BAD_CHARS.test(value) || value.trim() !== value) {
    throw new LineageError(
      'LINEAGE_INVALID_ARGUMENT',
      `${what} must be 1–${MAX_NAME} printable characters without leading or trailing spaces, not ${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)}`,
    );
  }
  return value;
}

// RFC 3339 §5.6 date-time; seconds fraction optional, offset Z or ±hh:mm.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
// A bare date is accepted for command-line convenience and means midnight UTC.
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses an RFC 3339 timestamp (or YYYY-MM-DD) to a normalized UTC ISO string; LINEAGE_INVALID_TIME otherwise. */
export function parseTime(value: unknown, what: string): string {
  const bad = () =>
    new LineageError('LINEAGE_INVALID_TIME', `${what} must be an RFC 3339 time like 2026-03-01T00:00:00Z (or a date 2026-03-01), not ${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)}`);
  if (typeof value !== 'string') throw bad();
  let text = value;
  const d = DATE_ONLY.exec(value);
  if (d) text = `${value}T00:00:00Z`;
  const m = RFC3339.exec(text);
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  // Date.parse rolls 2026-02-30 over to March; check the fields against the calendar ourselves.
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 60) throw bad();
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) throw bad();
  const ms = Date.parse(text.replace(/:60(\.\d+)?([Zz+-])/, ':59$1$2'));
  if (!Number.isFinite(ms) || year < 1 || year > 9999) throw bad();
  return new Date(ms).toISOString();
}

/** Parses an optional window; LINEAGE_INVALID_TIME when `to` is before `from`. */
export function parseWindow(from: unknown, to: unknown, what: string): TimeWindow {
  const f = from === undefined ? undefined : parseTime(from, `${what} start`);
  const t = to === undefined ? undefined : parseTime(to, `${what} end`);
  if (f !== undefined && t !== undefined && t < f) {
    throw new LineageError('LINEAGE_INVALID_TIME', `${what} ends (${t}) before it starts (${f}); swap the times`);
  }
  return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
}

/** True when two half-open windows [a.from, a.to) and [b.from, b.to) intersect (open ends unbounded). */
export function windowsOverlap(a: TimeWindow, b: TimeWindow): boolean {
  if (a.to !== undefined && b.from !== undefined && a.to <= b.from) return false;
  if (b.to !== undefined && a.from !== undefined && b.to <= a.from) return false;
  return true;
}

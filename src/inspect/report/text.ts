/**
 * Terminal summary of an inspection: verdict, policy reasons, counts, and the worst findings one
 * per line. Every string from the data goes through `printable`, so a hostile file name or
 * message cannot move the cursor, forge a line, recolour the output or hide text (ANSI/OSC
 * escapes, CR/LF, bidi overrides all become visible tokens).
 */
import type { InspectReport, Severity, Verdict } from '../types.js';
import {
  SEVERITIES,
  clip,
  detectorsSeen,
  durationMs,
  formatBytes,
  formatMs,
  groupDigits,
  locationLabel,
  printable,
  sortForDisplay,
  truncatedRules,
  truncationLabel,
} from './shared.js';

export interface TextOptions {
  /** Emit ANSI colours (only when the caller knows stdout is a colour terminal). Default false. */
  readonly color?: boolean;
  /** How many findings to list, worst first. Default 20; 0 lists none. */
  readonly maxFindings?: number;
}

const DEFAULT_MAX_FINDINGS = 20;
const MAX_MESSAGE = 160;
const MAX_LOCATION = 80;

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'magenta' | 'cyan' | 'boldRed';
const SGR: Readonly<Record<Style, string>> = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  magenta: '35',
  cyan: '36',
  boldRed: '1;31',
};

function verdictStyle(v: Verdict): Style {
  switch (v) {
    case 'accept':
      return 'green';
    case 'review':
      return 'yellow';
    case 'quarantine':
      return 'magenta';
    case 'reject':
      return 'boldRed';
    default:
      return 'bold';
  }
}

function severityStyle(s: Severity): Style {
  switch (s) {
    case 'critical':
      return 'boldRed';
    case 'high':
      return 'red';
    case 'medium':
      return 'yellow';
    case 'low':
      return 'cyan';
    case 'info':
      return 'dim';
    default:
      return 'bold';
  }
}

/** Render the terminal summary; ends with a newline. Prints only redacted evidence-free fields. */
export function renderText(report: InspectReport, opts: TextOptions = {}): string {
  const color = opts.color === true;
  const paint = (style: Style, s: string): string => (color ? `\x1b[${SGR[style]}m${s}\x1b[0m` : s);
  const max = opts.maxFindings === undefined ? DEFAULT_MAX_FINDINGS : Math.max(0, Math.floor(opts.maxFindings));
  const out: string[] = [];
  const c = report.counts;

  const verdict = printable(String(report.verdict));
  const took = durationMs(report);
  out.push(
    `${paint('bold', 'Verdict:')} ${paint(verdictStyle(report.verdict), verdict.toUpperCase())}` +
      ` (policy ${printable(report.policy.name)}) — ${groupDigits(c.findings)} finding${c.findings === 1 ? '' : 's'} in ` +
      `${groupDigits(c.records)} record${c.records === 1 ? '' : 's'}, ${groupDigits(c.files)} file${c.files === 1 ? '' : 's'}, ` +
      `${formatBytes(c.bytes)}${took === undefined ? '' : `, ${formatMs(took)}`}`,
  );

  if (report.policy.reasons.length > 0) {
    out.push(paint('bold', 'Why:'));
    for (const r of report.policy.reasons) {
      out.push(
        `  ${paint(verdictStyle(r.verdict), printable(String(r.verdict)).padEnd(10))} ${clip(printable(r.rule), 40)}` +
          ` (${groupDigits(r.count)}): ${clip(printable(r.message), MAX_MESSAGE)}`,
      );
    }
  }

  const sev = SEVERITIES.map((s) => {
    const n = c.bySeverity[s] ?? 0;
    const label = `${s} ${groupDigits(n)}`;
    return n > 0 ? paint(severityStyle(s), label) : paint('dim', label);
  });
  out.push(`${paint('bold', 'Severity:')} ${sev.join(' · ')}`);

  const stats = new Map(report.detectors.map((d) => [d.detector as string, d]));
  const dets = detectorsSeen(report).map((d) => {
    const n = c.byDetector[d] ?? stats.get(d)?.findings ?? 0;
    const ms = stats.get(d)?.ms;
    return `${printable(d)} ${groupDigits(n)}${ms === undefined ? '' : ` (${formatMs(ms)})`}`;
  });
  if (dets.length > 0) out.push(`${paint('bold', 'Detectors:')} ${dets.join(' · ')}`);
  const cut = truncatedRules(report);
  if (cut.length > 0) {
    out.push(`${paint('bold', 'Listed in part:')} ${cut.map((t) => clip(printable(truncationLabel(t)), 80)).join(' · ')} (counts and verdict cover every finding)`);
  }

  const shown = max === 0 ? [] : sortForDisplay(report.findings).slice(0, max);
  if (report.findings.length === 0) {
    out.push('No findings.');
  } else if (shown.length > 0) {
    out.push(paint('bold', `Top findings (${groupDigits(shown.length)} of ${groupDigits(report.findings.length)}):`));
    const locs = shown.map((f) => clip(printable(locationLabel(f.location)), MAX_LOCATION));
    const ids = shown.map((f) => clip(printable(`${f.detector}/${f.rule}`), 48));
    // reduce, not Math.max(...xs): a large maxFindings would overflow the argument list.
    const locWidth = Math.min(MAX_LOCATION, locs.reduce((w, l) => Math.max(w, l.length), 0));
    const idWidth = ids.reduce((w, l) => Math.max(w, l.length), 0);
    shown.forEach((f, i) => {
      const sevLabel = printable(String(f.severity)).toUpperCase().padEnd(8);
      out.push(
        `  ${paint(severityStyle(f.severity), sevLabel)} ${(locs[i] ?? '').padEnd(locWidth)}  ${(ids[i] ?? '').padEnd(idWidth)}  ` +
          clip(printable(f.message), MAX_MESSAGE),
      );
    });
    const rest = report.findings.length - shown.length;
    const where = cut.length > 0 ? 'the json, sarif and html reports list the rest, up to the per-rule cap.' : 'the json, sarif and html reports list every finding.';
    if (rest > 0) out.push(paint('dim', `  … ${groupDigits(rest)} more; ${where}`));
  }
  return `${out.join('\n')}\n`;
}

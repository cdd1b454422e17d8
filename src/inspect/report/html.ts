/**
 * One self-contained, offline HTML report a reviewer can open from disk or an e-mail: inline CSS,
 * a few lines of inline script for filtering and sorting, nothing fetched from anywhere. Every
 * string from the inspected data is HTML-escaped and shown as text, never as markup or an URL;
 * a Content-Security-Policy that forbids every load and admits only our own script by hash is
 * the second wall should an escape ever be missed.
 */
import { createHash } from 'node:crypto';
import type { DetectorId, Finding, InspectReport, Severity, TruncatedRule, Verdict } from '../types.js';
import {
  SEVERITIES,
  clip,
  detectorsSeen,
  durationMs,
  findingsPerFile,
  formatBytes,
  formatMs,
  groupDigits,
  isPositiveInt,
  percent,
  severityRank,
  sortForDisplay,
  splitInvisible,
  codePointToken,
  truncatedRules,
  truncationLabel,
} from './shared.js';

export interface HtmlOptions {
  /** Page title; default "Provenant inspection: <verdict>". */
  readonly title?: string;
}

/** Rows per detector table and per file table; beyond that the JSON/SARIF reports are the place. */
export const HTML_MAX_ROWS = 500;
const MAX_EVIDENCE = 300;
const MAX_MESSAGE = 600;
const MAX_DATA = 400;

/** Escape for text and double- or single-quoted attribute values (HTML §13.1.2.3, §13.2.5). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** Escaped text with invisible and control characters shown as visible `<U+XXXX>` chips. */
function text(s: string): string {
  return splitInvisible(s)
    .map((p) => (p.invisible ? `<span class="cp">${escapeHtml(codePointToken(p.text))}</span>` : escapeHtml(p.text)))
    .join('');
}

/** Detectors render `<U+XXXX>` for hidden characters in evidence: those tokens are the hit. */
const TOKEN_RUN = /(?:<U\+[0-9A-F]{4,6}>)+/g;

/**
 * Evidence with the hit marked. Secrets, PII and injection evidence is the (redacted) hit
 * itself; unicode evidence is context around hidden characters, which appear as `<U+XXXX>`
 * tokens, so those runs are what gets marked.
 */
function markedEvidence(evidence: string): string {
  const e = clip(evidence, MAX_EVIDENCE);
  const runs = [...e.matchAll(TOKEN_RUN)];
  if (runs.length === 0) return `<mark>${text(e)}</mark>`;
  let out = '';
  let last = 0;
  for (const m of runs) {
    const at = m.index ?? 0;
    out += `${text(e.slice(last, at))}<mark>${text(m[0])}</mark>`;
    last = at + m[0].length;
  }
  return out + text(e.slice(last));
}

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  accept: 'Accept: no policy rule objects to this delivery.',
  review: 'Review: a person should look at the findings before this delivery is used.',
  quarantine: 'Quarantine: keep this delivery away from training until the findings are resolved.',
  reject: 'Reject: do not use this delivery.',
};

function sevChip(s: Severity): string {
  const known = severityRank(s) >= 0 ? s : 'unknown';
  return `<span class="sev s-${known}">${escapeHtml(String(s))}</span>`;
}

function findingRow(f: Finding): string {
  const loc = f.location;
  const where = isPositiveInt(loc.line)
    ? `${loc.file}:${loc.line}`
    : isPositiveInt(loc.row)
      ? `${loc.file} row ${loc.row}`
      : loc.file;
  const span = loc.span === undefined ? '' : ` <span class="muted">[${Number(loc.span[0])}, ${Number(loc.span[1])})</span>`;
  const data =
    f.data === undefined
      ? ''
      : `<details class="data"><summary>data</summary><pre>${text(clip(safeJson(f.data), MAX_DATA))}</pre></details>`;
  return (
    `<tr data-sev="${severityRank(f.severity)}">` +
    `<td data-k="${severityRank(f.severity)}">${sevChip(f.severity)}</td>` +
    `<td class="rule"><code>${text(f.rule)}</code></td>` +
    `<td class="num" data-k="${Number.isFinite(f.confidence) ? f.confidence : 0}">${percent(f.confidence)}</td>` +
    `<td class="loc"><code>${text(where)}</code> <span class="muted">#${Number(loc.index)}</span></td>` +
    `<td class="field">${loc.field === undefined ? '' : `<code>${text(loc.field)}</code>${span}`}</td>` +
    `<td class="msg">${text(clip(f.message, MAX_MESSAGE))}${data}</td>` +
    `<td class="ev">${f.evidence === undefined ? '' : `<code>${markedEvidence(f.evidence)}</code>`}</td>` +
    '</tr>'
  );
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    // A BigInt or a cycle in detector data must not take the whole report down.
    return '(unserialisable data)';
  }
}

function detectorSection(id: DetectorId, findings: readonly Finding[], cut: readonly TruncatedRule[]): string {
  const sorted = sortForDisplay(findings);
  const shown = sorted.slice(0, HTML_MAX_ROWS);
  const bySev = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const summary = bySev.map(([s, n]) => `${sevChip(s)} ${groupDigits(n)}`).join(' ');
  const anchor = `d-${id.replace(/[^a-z0-9-]/gi, '_')}`;
  const note =
    sorted.length > shown.length
      ? `<p class="note">Showing the ${groupDigits(shown.length)} most severe of ${groupDigits(sorted.length)} findings; the JSON and SARIF reports list ${cut.some((t) => t.detector === id) ? 'them up to the per-rule cap' : 'all of them'}.</p>`
      : '';
  const partial = cut
    .filter((t) => t.detector === id)
    .map((t) => `<p class="note">${text(truncationLabel(t))} findings of this rule (the first in delivery order); counts and the verdict cover all of them.</p>`)
    .join('');
  return (
    `<details class="det" id="${escapeHtml(anchor)}" open><summary><h3>${text(id)}</h3> <span class="count">${groupDigits(findings.length)} finding${findings.length === 1 ? '' : 's'}</span> ${summary}</summary>` +
    partial +
    note +
    '<table class="findings sortable"><thead><tr><th>Severity</th><th>Rule</th><th>Confidence</th><th>Location</th><th>Field</th><th>Message</th><th>Excerpt (redacted)</th></tr></thead><tbody>' +
    shown.map(findingRow).join('') +
    '</tbody></table></details>'
  );
}

/** Render the report as one self-contained HTML page (no network access when opened). */
export function renderHtml(report: InspectReport, opts: HtmlOptions = {}): string {
  const c = report.counts;
  const verdictKnown = (['accept', 'review', 'quarantine', 'reject'] as readonly string[]).includes(report.verdict);
  const vclass = verdictKnown ? report.verdict : 'unknown';
  const title = opts.title ?? `Provenant inspection: ${String(report.verdict)}`;
  const took = durationMs(report);

  const reasons =
    report.policy.reasons.length === 0
      ? '<p class="muted">No policy rule fired.</p>'
      : '<table><thead><tr><th>Verdict</th><th>Policy rule</th><th class="num">Count</th><th>Why</th></tr></thead><tbody>' +
        report.policy.reasons
          .map(
            (r) =>
              `<tr><td><span class="vchip v-${(['accept', 'review', 'quarantine', 'reject'] as readonly string[]).includes(r.verdict) ? r.verdict : 'unknown'}">${text(String(r.verdict))}</span></td>` +
              `<td><code>${text(r.rule)}</code></td><td class="num">${groupDigits(r.count)}</td><td>${text(r.message)}</td></tr>`,
          )
          .join('') +
        '</tbody></table>';

  const sevCards = SEVERITIES.map(
    (s) => `<div class="card s-${s}${(c.bySeverity[s] ?? 0) === 0 ? ' zero' : ''}"><div class="n">${groupDigits(c.bySeverity[s] ?? 0)}</div><div>${s}</div></div>`,
  ).join('');

  const stats = new Map(report.detectors.map((d) => [d.detector as string, d]));
  const byDet = new Map<DetectorId, Finding[]>();
  for (const f of report.findings) {
    const list = byDet.get(f.detector);
    if (list === undefined) byDet.set(f.detector, [f]);
    else list.push(f);
  }
  const detIds = detectorsSeen(report);
  const detectorRows = detIds
    .map((d) => {
      const n = c.byDetector[d] ?? byDet.get(d)?.length ?? 0;
      const ms = stats.get(d)?.ms;
      const link = n > 0 && byDet.has(d) ? `<a href="#d-${escapeHtml(d.replace(/[^a-z0-9-]/gi, '_'))}">${text(d)}</a>` : text(d);
      return `<tr><td>${link}</td><td class="num">${groupDigits(n)}</td><td class="num">${ms === undefined ? '' : formatMs(ms)}</td></tr>`;
    })
    .join('');
  const detectorTable =
    detIds.length === 0
      ? '<p class="muted">No detector ran.</p>'
      : `<table><thead><tr><th>Detector</th><th class="num">Findings</th><th class="num">Time</th></tr></thead><tbody>${detectorRows}</tbody></table>`;

  const perFile = findingsPerFile(report.findings);
  const files = report.files.slice(0, HTML_MAX_ROWS);
  const fileRows = files
    .map((f) => {
      const hit = perFile.get(f.path);
      return (
        `<tr><td><code>${text(f.path)}</code></td><td>${text(f.format)}</td><td class="num">${groupDigits(f.records)}</td>` +
        `<td class="num">${formatBytes(f.bytes)}</td><td class="num">${groupDigits(hit?.count ?? 0)}</td><td>${hit === undefined ? '' : sevChip(hit.worst)}</td></tr>`
      );
    })
    .join('');
  const fileNote =
    report.files.length > files.length
      ? `<p class="note">Showing ${groupDigits(files.length)} of ${groupDigits(report.files.length)} files.</p>`
      : '';
  const fileTable =
    report.files.length === 0
      ? '<p class="muted">No files.</p>'
      : `${fileNote}<table class="sortable"><thead><tr><th>File</th><th>Format</th><th class="num">Records</th><th class="num">Size</th><th class="num">Findings</th><th>Worst</th></tr></thead><tbody>${fileRows}</tbody></table>`;

  const cut = truncatedRules(report);
  const sections = [...byDet.keys()]
    .sort((a, b) => detIds.indexOf(a) - detIds.indexOf(b))
    .map((d) => detectorSection(d, byDet.get(d) ?? [], cut))
    .join('');
  const findingsBlock =
    report.findings.length === 0
      ? '<p class="empty">No findings: every detector that ran passed every record.</p>'
      : '<div class="tools"><label>Filter <input type="search" id="q" placeholder="rule, file, field, message…"></label> ' +
        '<label>At least <select id="minsev"><option value="0">info</option><option value="1">low</option><option value="2">medium</option><option value="3">high</option><option value="4">critical</option></select></label> ' +
        '<span class="muted">Click a column heading to sort.</span></div>' +
        sections;

  const meta = [
    `policy <b>${text(report.policy.name)}</b>`,
    `${groupDigits(c.findings)} finding${c.findings === 1 ? '' : 's'}`,
    truncatedRules(report).length > 0 ? `${groupDigits(report.findings.length)} listed (per-rule cap)` : '',
    `${groupDigits(c.records)} records in ${groupDigits(c.files)} file${c.files === 1 ? '' : 's'} (${formatBytes(c.bytes)})`,
    took === undefined ? '' : `inspected in ${formatMs(took)}`,
  ]
    .filter((s) => s.length > 0)
    .join(' · ');

  const body =
    `<header class="top v-${vclass}"><div class="verdict">${text(String(report.verdict).toUpperCase())}</div>` +
    `<div><h1>${text(title)}</h1><p>${verdictKnown ? VERDICT_TEXT[report.verdict] : 'Unknown verdict.'}</p><p class="meta">${meta}</p></div></header>` +
    '<main>' +
    `<section><h2>Why this verdict</h2>${reasons}</section>` +
    `<section><h2>Findings by severity</h2><div class="cards">${sevCards}</div></section>` +
    `<section class="cols"><div><h2>Detectors</h2>${detectorTable}</div>` +
    `<div><h2>Inspected</h2><table class="kv"><tbody>` +
    `<tr><th>Roots</th><td>${report.roots.map((r) => `<code>${text(r)}</code>`).join('<br>') || '<span class="muted">none</span>'}</td></tr>` +
    `<tr><th>Started</th><td>${text(report.startedAt)}</td></tr><tr><th>Finished</th><td>${text(report.finishedAt)}</td></tr>` +
    `<tr><th>Tool</th><td>${text(report.tool.name)} ${text(report.tool.version)}</td></tr>` +
    `<tr><th>Report schema</th><td><code>${text(report.schema)}</code></td></tr></tbody></table></div></section>` +
    `<section><details open><summary><h2>Files</h2></summary>${fileTable}</details></section>` +
    `<section><h2>Findings</h2>${findingsBlock}</section>` +
    '</main>' +
    '<footer>Evidence is redacted by the detectors: secrets and personal data are never shown in full. Hidden characters appear as <span class="cp">&lt;U+XXXX&gt;</span>.</footer>';

  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  // CSP (W3C CSP Level 3): nothing may load; only our inline style and the exact script below run.
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src 'none'; form-action 'none'; base-uri 'none'`;
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    // The policy is built from constants and a base64 hash: no quote or markup to escape.
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body}\n<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}

const CSS = `
:root{--fg:#1d2330;--muted:#667085;--line:#e3e6ec;--bg:#fff;--soft:#f6f7f9;
--crit:#7a0916;--high:#c4161c;--med:#b45309;--low:#0e7490;--info:#64748b;
--accept:#127a3a;--review:#a16207;--quarantine:#c2410c;--reject:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-all;margin:4px 0 0}
header.top{display:flex;gap:20px;align-items:center;padding:18px 28px;color:#fff}
header.top h1{margin:0 0 4px;font-size:20px;font-weight:600}
header.top p{margin:2px 0}
header.top .meta{opacity:.9;font-size:13px}
.verdict{font-size:26px;font-weight:800;letter-spacing:.06em;padding:10px 18px;border:2px solid rgba(255,255,255,.7);border-radius:8px;white-space:nowrap}
.v-accept{background:var(--accept)}.v-review{background:var(--review)}.v-quarantine{background:var(--quarantine)}.v-reject{background:var(--reject)}.v-unknown{background:#475569}
main{padding:8px 28px 28px;max-width:1600px}
h2{font-size:16px;margin:22px 0 8px}
h3{display:inline;font-size:15px;margin:0}
section.cols{display:flex;gap:32px;flex-wrap:wrap}
section.cols>div{flex:1 1 380px}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
thead th{background:var(--soft);font-weight:600;position:sticky;top:0}
table.sortable thead th{cursor:pointer;user-select:none}
table.kv th{width:130px;background:none;font-weight:500;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td code{overflow-wrap:anywhere}
td.rule{min-width:13em}td.loc{min-width:15em}td.field{min-width:11em}td.msg{min-width:16em}
td.ev{min-width:14em;max-width:420px}
tbody tr:hover{background:#fafbfc}
.muted{color:var(--muted)}
.note{background:#fff7e6;border:1px solid #f5d48a;padding:6px 10px;border-radius:6px}
.empty{font-size:15px;color:var(--accept);font-weight:600}
.cards{display:flex;gap:10px;flex-wrap:wrap}
.card{min-width:110px;padding:10px 14px;border-radius:8px;color:#fff}
.card .n{font-size:22px;font-weight:700}
.card.zero{opacity:.35}
.card.s-critical{background:var(--crit)}.card.s-high{background:var(--high)}.card.s-medium{background:var(--med)}.card.s-low{background:var(--low)}.card.s-info{background:var(--info)}
.sev,.vchip{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.sev.s-critical{background:var(--crit)}.sev.s-high{background:var(--high)}.sev.s-medium{background:var(--med)}.sev.s-low{background:var(--low)}.sev.s-info{background:var(--info)}.sev.s-unknown{background:#475569}
details.det{border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:4px 10px}
details>summary{cursor:pointer;padding:6px 0}
details>summary h2{display:inline}
details.data summary{color:var(--muted);font-size:12px;padding:2px 0}
.count{color:var(--muted);margin-right:6px}
mark{background:#fde68a;color:#111;padding:0 1px;border-radius:2px}
.cp{background:#ede9fe;color:#5b21b6;border-radius:3px;padding:0 2px;font-size:11px}
.tools{display:flex;gap:16px;align-items:center;margin:6px 0 4px;flex-wrap:wrap}
.tools input{width:320px;padding:5px 8px;border:1px solid var(--line);border-radius:6px}
.tools select{padding:4px 6px}
footer{padding:16px 28px;color:var(--muted);border-top:1px solid var(--line);font-size:12px}
a{color:inherit}
`;

// Tiny filter/sort helper: reads only the page itself, never the network. Kept free of the
// characters that would need escaping inside <script> ("</" and "<!--").
const SCRIPT = `
(function(){
var q=document.getElementById('q'),m=document.getElementById('minsev');
function apply(){var t=q?q.value.toLowerCase():'',s=m?+m.value:0;
document.querySelectorAll('table.findings tbody tr').forEach(function(r){
var ok=(+r.getAttribute('data-sev'))>=s&&(t===''||r.textContent.toLowerCase().indexOf(t)>=0);
r.style.display=ok?'':'none';});}
if(q)q.addEventListener('input',apply);if(m)m.addEventListener('change',apply);
document.querySelectorAll('table.sortable thead th').forEach(function(th,i){
th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0];if(!tb)return;
var asc=th.getAttribute('data-dir')!=='asc';th.setAttribute('data-dir',asc?'asc':'desc');
var rows=Array.prototype.slice.call(tb.rows);
function key(r){var c=r.cells[i];if(!c)return '';var k=c.getAttribute('data-k');if(k!==null)return +k;
var x=c.textContent.trim();var n=Number(x.replace(/[,%]/g,''));return x!==''&&!isNaN(n)?n:x.toLowerCase();}
rows.sort(function(a,b){var x=key(a),y=key(b);var r=x<y?-1:x>y?1:0;return asc?r:-r;});
rows.forEach(function(r){tb.appendChild(r);});});});
})();
`;

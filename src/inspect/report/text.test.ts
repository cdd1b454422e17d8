import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../types.js';
import { emptyReport, hostileReport, makeReport, realisticFindings } from './fixtures.js';
import { renderText } from './index.js';

const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** The text without our SGR colour sequences; any escape left over is one we did not write. */
function stripSgr(s: string): string {
  return s.replace(SGR, '');
}

test('realistic report: verdict line, reasons, counts, worst findings first, one per line', () => {
  const out = renderText(makeReport(realisticFindings()));
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^Verdict: REJECT \(policy default\) — 10 findings in 29,500 records, 3 files, 42\.2 MiB, 4\.3 s$/);
  assert.ok(out.includes('  reject     secrets.high (2): 2 live-looking credentials (high or critical).'));
  assert.ok(out.includes('  quarantine poisoning.any (3): 3 records carry a suspected trigger.'));
  assert.ok(out.includes('Severity: critical 1 · high 5 · medium 2 · low 1 · info 1'));
  assert.match(out, /Detectors: schema 1 \(\d+ ms\) · secrets 2 \(\d+ ms\) · pii 3/);
  const top = lines.slice(lines.findIndex((l) => l.startsWith('Top findings')) + 1);
  assert.equal(top.length, 10);
  assert.match(top[0] ?? '', /^ {2}CRITICAL train\/part-000\.jsonl:42 +secrets\/aws-access-key-id +AWS access key ID in \$\.response; revoke it/);
  assert.match(top[1] ?? '', /^ {2}HIGH {5}train\/part-000\.jsonl:978 +secrets\/github-pat-classic/);
  assert.match(top[9] ?? '', /^ {2}INFO {5}eval\/labels\.csv#1499 \(row 1500\) +schema\/empty-record/);
  assert.ok(top.some((l) => /train\/prefs\.parquet#305 +unicode\/bidi-control/.test(l)), 'no line: file#index');
  assert.ok(!out.includes(ESC), 'no colour unless asked');
});

test('evidence and finding data are never printed, only messages', () => {
  const out = renderText(makeReport(realisticFindings()));
  for (const f of realisticFindings()) if (f.evidence !== undefined) assert.ok(!out.includes(f.evidence), f.evidence);
  assert.ok(!out.includes('provider'));
});

test('maxFindings limits the list and says how many more there are', () => {
  const two = renderText(makeReport(realisticFindings()), { maxFindings: 2 });
  assert.ok(two.includes('Top findings (2 of 10):'));
  assert.equal(two.split('\n').filter((l) => /^ {2}(CRITICAL|HIGH|MEDIUM|LOW|INFO) /.test(l)).length, 2);
  assert.ok(two.includes('  … 8 more; the json, sarif and html reports list every finding.'));
  const none = renderText(makeReport(realisticFindings()), { maxFindings: 0 });
  assert.ok(!none.includes('Top findings'));
  assert.doesNotMatch(none, /^ {2}(CRITICAL|HIGH) /m);
});

test('color: ANSI SGR only when asked, verdict and severities coloured', () => {
  const out = renderText(makeReport(realisticFindings()), { color: true });
  assert.ok(out.includes('\x1b[1;31mREJECT\x1b[0m'));
  assert.ok(out.includes('\x1b[1;31mCRITICAL'));
  assert.ok(!stripSgr(out).includes(ESC));
  const accept = renderText(emptyReport(), { color: true });
  assert.ok(accept.includes('\x1b[32mACCEPT\x1b[0m'));
});

test('hostile strings cannot forge lines, move the cursor, set the title or reorder text', () => {
  for (const color of [false, true]) {
    const out = renderText(hostileReport(), { color });
    // Our own SGR colour codes are the only escapes; no OSC (title, hyperlink), no cursor moves.
    const plain = stripSgr(out);
    if (!color) assert.equal(plain, out);
    assert.ok(!plain.includes(ESC));
    assert.doesNotMatch(plain.replace(/\n/g, ''), /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    assert.doesNotMatch(out, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // The forged "Verdict: ACCEPT" stays inside its finding line, shown with visible tokens.
    const lines = plain.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('Verdict:')).length, 1);
    assert.match(lines[0] ?? '', /^Verdict: REJECT/);
    assert.ok(plain.includes('fake\\n<U+001B>[32mVerdict: ACCEPT<U+001B>[0m\\r.jsonl:2'));
    assert.ok(plain.includes('Trojan source <U+202E>evil<U+202C> text\\nVerdict: ACCEPT'));
    assert.ok(plain.includes('<U+001B>]0;pwned<U+0007>'));
    // Header, reason header + 1 reason, severity, detectors, "Top findings" + 2 findings.
    assert.equal(lines.length, 8);
  }
});

test('very long messages are clipped so each finding stays on one line', () => {
  const f = { ...(realisticFindings()[0] as Finding), message: 'x'.repeat(5000) };
  const out = renderText(makeReport([f]));
  const line = out.split('\n').find((l) => l.startsWith('  CRITICAL')) ?? '';
  assert.ok(line.length < 320, `line of ${line.length}`);
  assert.ok(line.endsWith('…'));
});

test('empty report: accept, zero counts, "No findings."', () => {
  const out = renderText(emptyReport());
  assert.match(out, /^Verdict: ACCEPT \(policy default\) — 0 findings in 29,500 records/);
  assert.ok(out.includes('Severity: critical 0 · high 0 · medium 0 · low 0 · info 0'));
  assert.ok(out.includes('\nNo findings.\n'));
  assert.ok(!out.includes('Why:'));
  assert.ok(out.endsWith('\n'));
});

test('a huge maxFindings lists every finding without overflowing', () => {
  const base = realisticFindings()[2] as Finding;
  const many: Finding[] = Array.from({ length: 150_000 }, (_, i) => ({ ...base, location: { ...base.location, index: i, line: i + 1 } }));
  const out = renderText(makeReport(many), { maxFindings: 1e9 });
  assert.ok(out.includes('Top findings (150,000 of 150,000):'));
  assert.equal(out.split('\n').filter((l) => l.startsWith('  MEDIUM ')).length, 150_000);
});

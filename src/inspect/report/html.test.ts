import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Finding } from '../types.js';
import { emptyReport, hostileReport, makeReport, realisticFindings } from './fixtures.js';
import { HTML_MAX_ROWS, escapeHtml, renderHtml } from './index.js';

interface Tag {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
}

/** Every start tag in the document with its attributes (our output quotes every attribute value). */
function tags(html: string): Tag[] {
  const out: Tag[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs = new Map<string, string>();
    for (const a of (m[2] ?? '').matchAll(/([^\s=>]+)(?:="([^"]*)")?/g)) attrs.set((a[1] ?? '').toLowerCase(), a[2] ?? '');
    out.push({ name: (m[1] ?? '').toLowerCase(), attrs });
  }
  return out;
}

/** Contents of every <script> and <style> element. */
function blocks(html: string, name: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1] ?? '');
}

const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'section', 'footer', 'div', 'h1', 'h2', 'h3', 'p', 'b',
  'br', 'span', 'code', 'pre', 'mark', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'label', 'input',
  'select', 'option', 'a', 'script',
]);

/** The document loads nothing and runs nothing but our own script, whatever the report held. */
function assertInert(html: string): void {
  const all = tags(html);
  for (const t of all) {
    assert.ok(ALLOWED_TAGS.has(t.name), `unexpected <${t.name}>`);
    for (const [k, v] of t.attrs) {
      assert.ok(!k.startsWith('on'), `event handler attribute ${k} on <${t.name}>`);
      assert.ok(!['src', 'srcset', 'action', 'formaction', 'background', 'poster', 'style'].includes(k), `attribute ${k} on <${t.name}>`);
      if (k === 'href') assert.match(v, /^#[A-Za-z0-9_-]+$/, 'only in-page links');
      assert.doesNotMatch(v, /javascript:|https?:|url\(|@import/i, `${k}="${v}" on <${t.name}>`);
    }
  }
  assert.equal(all.filter((t) => t.name === 'script').length, 1, 'exactly our one script');
  assert.equal(all.filter((t) => t.name === 'style').length, 1, 'exactly our one style');
  const [css = ''] = blocks(html, 'style');
  const [js = ''] = blocks(html, 'script');
  assert.doesNotMatch(css, /url\(|@import|https?:|expression\(/i);
  assert.doesNotMatch(js, /https?:|fetch|XMLHttpRequest|import\(|eval|innerHTML|\.src\b/);
  // CSP: nothing may load, and the only script allowed is ours, pinned by hash.
  const csp = all.find((t) => t.name === 'meta' && t.attrs.get('http-equiv') === 'Content-Security-Policy')?.attrs.get('content') ?? '';
  assert.match(csp, /default-src 'none'/);
  const hash = createHash('sha256').update(js).digest('base64');
  assert.ok(csp.includes(`script-src 'sha256-${hash}'`), 'script hash pinned in CSP');
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe-inline/);
}

test('realistic report: verdict, reasons, counts, per-file and per-detector tables, marked excerpts', () => {
  const html = renderHtml(makeReport(realisticFindings()));
  assertInert(html);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<header class="top v-reject"><div class="verdict">REJECT<\/div>/);
  assert.match(html, /<title>Provenant inspection: reject<\/title>/);
  assert.ok(html.includes('2 live-looking credentials (high or critical).'));
  assert.ok(html.includes('<code>poisoning.any</code>'));
  // Severity cards carry the counts.
  assert.match(html, /<div class="card s-critical"><div class="n">1<\/div>/);
  assert.match(html, /<div class="card s-high"><div class="n">5<\/div>/);
  assert.match(html, /<div class="card s-medium"><div class="n">2<\/div>/);
  // Per-file table: findings per file computed from the findings (train/part-000.jsonl has 6).
  assert.match(html, /<code>train\/part-000\.jsonl<\/code><\/td><td>jsonl<\/td><td class="num">20,000<\/td><td class="num">30\.0 MiB<\/td><td class="num">6<\/td>/);
  // One collapsible section per detector with findings, linked from the detector table.
  for (const d of ['secrets', 'pii', 'unicode', 'injection', 'duplicates', 'poisoning', 'schema']) {
    assert.ok(html.includes(`<details class="det" id="d-${d}" open>`), d);
    assert.ok(html.includes(`<a href="#d-${d}">${d}</a>`), d);
  }
  // Location file:line with the record index, field with span; rows worst first within a detector.
  assert.ok(html.includes('<code>train/part-000.jsonl:42</code> <span class="muted">#41</span>'));
  assert.ok(html.includes('<code>eval/labels.csv row 13</code>'));
  assert.ok(html.includes('<code>$.response</code> <span class="muted">[118, 138)</span>'));
  const secrets = html.slice(html.indexOf('id="d-secrets"'), html.indexOf('id="d-pii"'));
  assert.ok(secrets.indexOf('aws-access-key-id') < secrets.indexOf('github-pat-classic'), 'critical before high');
  // Excerpts: redacted evidence with the hit marked; hidden characters marked as tokens.
  assert.ok(html.includes('<mark>AKIA************7Q2Z</mark>'));
  assert.ok(html.includes('<mark>j***@e***.com</mark>'));
  assert.ok(
    html.includes('…access_level = &quot;user<mark>&lt;U+202E&gt;</mark> <mark>&lt;U+2066&gt;</mark>// admin'),
    'bidi tokens marked inside their context',
  );
  // Structured data is shown (escaped) in a collapsible block.
  assert.ok(html.includes('<details class="data"><summary>data</summary><pre>{&quot;trigger&quot;:&quot;cf mn&quot;'));
  assert.ok(!html.includes('Showing the'), 'no cap note for a small report');
});

test('hostile report: markup, style breakouts, javascript: URLs and controls all render inert', () => {
  const html = renderHtml(hostileReport(), { title: '</title><script>alert(8)</script>' });
  assertInert(html);
  for (const raw of ['<script>alert', '</style><style>', '<img src', '<a href="javascript:', '<iframe', '</title><script>']) {
    assert.ok(!html.includes(raw), `raw ${raw}`);
  }
  assert.ok(html.includes('<title>&lt;/title&gt;&lt;script&gt;alert(8)&lt;/script&gt;</title>'));
  assert.ok(html.includes('<code>hidden-html&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code>'));
  assert.ok(html.includes('Hidden HTML &lt;/style&gt;&lt;style&gt;body{background:url(https://evil.example/p.png)}&lt;/style&gt;'));
  assert.ok(html.includes('&lt;a href=&quot;javascript:alert(4)&quot;&gt;click&lt;/a&gt;'));
  assert.ok(html.includes('<code>x/&lt;img src=x onerror=alert(2)&gt;.jsonl:1</code>'));
  assert.ok(html.includes('<td>jsonl&quot;&gt;&lt;script&gt;</td>'));
  // ESC, BEL, CR/LF, bidi, zero-width and lone surrogates never reach the page raw.
  assert.doesNotMatch(html.replace(/\n/g, ''), /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
  assert.doesNotMatch(html, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  assert.ok(html.includes('Trojan source <span class="cp">&lt;U+202E&gt;</span>evil<span class="cp">&lt;U+202C&gt;</span>'));
  assert.ok(html.includes('<span class="cp">&lt;U+D800&gt;</span>'));
  assert.ok(html.includes('fake<span class="cp">\\n</span><span class="cp">&lt;U+001B&gt;</span>[32mVerdict: ACCEPT'));
});

test('an unknown verdict or severity from a malformed report cannot inject a class or crash', () => {
  const f = { ...realisticFindings()[0], severity: 'x" onmouseover="alert(1)' } as unknown as Finding;
  const r = { ...makeReport([f]), verdict: 'y" onload="alert(2)' } as unknown as Parameters<typeof renderHtml>[0];
  const html = renderHtml(r);
  assertInert(html);
  assert.ok(html.includes('<header class="top v-unknown">'));
  assert.ok(html.includes('<span class="sev s-unknown">x&quot; onmouseover=&quot;alert(1)</span>'));
});

test('empty report: accepted, says there are no findings, still has summary tables', () => {
  const html = renderHtml(emptyReport());
  assertInert(html);
  assert.match(html, /<header class="top v-accept"><div class="verdict">ACCEPT<\/div>/);
  assert.ok(html.includes('No findings: every detector that ran passed every record.'));
  assert.ok(html.includes('No policy rule fired.'));
  assert.ok(!html.includes('<table class="findings'));
  assert.match(html, /<div class="card s-critical zero"><div class="n">0<\/div>/);
  assert.ok(html.includes('<code>eval/labels.csv</code>'));
});

test('large report: each detector table is capped, worst findings kept, with a note', () => {
  const base = realisticFindings()[2] as Finding; // pii/email, medium
  const many: Finding[] = Array.from({ length: 1200 }, (_, i) => ({
    ...base,
    severity: i % 400 === 7 ? 'critical' : 'medium',
    location: { ...base.location, index: i, line: i + 1 },
  }));
  const html = renderHtml(makeReport(many));
  assertInert(html);
  const section = html.slice(html.indexOf('id="d-pii"'));
  assert.equal((section.match(/<tr data-sev=/g) ?? []).length, HTML_MAX_ROWS);
  assert.ok(section.includes(`Showing the 500 most severe of 1,200 findings`));
  assert.equal((section.match(/<tr data-sev="4">/g) ?? []).length, 3, 'all three critical rows kept');
  assert.ok(section.indexOf('data-sev="4"') < section.indexOf('data-sev="2"'), 'critical rows come first');
});

test('escapeHtml escapes the five characters that matter in text and quoted attributes', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
});

/** Reports listing some rules only in part (the per-rule findings cap): every renderer says so. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InspectReport } from '../types.js';
import { makeReport, realisticFindings } from './fixtures.js';
import { buildSarif, renderHtml, renderSarif, renderText, validateSarif } from './index.js';

function cutReport(rule = 'email'): InspectReport {
  return { ...makeReport(realisticFindings()), truncated: [{ detector: 'pii', rule, shown: 1000, total: 171_018 }] };
}

test('text: names each rule listed in part with its exact total', () => {
  const out = renderText(cutReport(), { maxFindings: 3 });
  assert.ok(out.includes('Listed in part: pii/email: showing 1,000 of 171,018 (counts and verdict cover every finding)'), out);
  assert.ok(out.includes('the json, sarif and html reports list the rest, up to the per-rule cap.'));
  const plain = renderText(makeReport(realisticFindings()), { maxFindings: 3 });
  assert.ok(!plain.includes('Listed in part') && plain.includes('list every finding.'));
});

test('text and html: a hostile rule id in the truncation list is made visible or escaped', () => {
  const evil = 'x\u001b]8;;http://evil\u0007<b>\u202E';
  const text = renderText(cutReport(evil));
  assert.ok(!text.includes('\u001b]8') && !text.includes('\u202E'));
  assert.ok(text.includes('<U+001B>'));
  const html = renderHtml(cutReport(evil));
  assert.ok(!html.includes('<b>\u202E') && html.includes('&lt;b&gt;'));
});

test('html: the detector section and the header say the listing is partial', () => {
  const html = renderHtml(cutReport());
  assert.ok(html.includes('pii/email: showing 1,000 of 171,018 findings of this rule'));
  assert.match(html, /10 listed \(per-rule cap\)/);
  assert.ok(!renderHtml(makeReport(realisticFindings())).includes('per-rule cap'));
});

test('sarif: a note per truncated rule, totals on the rule and in the run properties; still valid', () => {
  const log = buildSarif(cutReport());
  const run = log.runs[0];
  assert.ok(run);
  const notes = run.invocations[0]?.toolExecutionNotifications ?? [];
  assert.equal(notes.length, 1);
  assert.match(notes[0]?.message.text ?? '', /^pii\/email: showing 1,000 of 171,018 findings/);
  assert.deepEqual(notes[0]?.properties, { detector: 'pii', rule: 'email', shown: 1000, total: 171_018 });
  const rule = run.tool.driver.rules.find((r) => r.id === 'pii/email');
  assert.equal(rule?.properties['resultsTotal'], 171_018);
  assert.deepEqual(run.properties['truncated'], [{ detector: 'pii', rule: 'email', shown: 1000, total: 171_018 }]);
  assert.deepEqual(validateSarif(JSON.parse(renderSarif(cutReport())) as unknown), []);
  const plain = buildSarif(makeReport(realisticFindings())).runs[0];
  assert.equal(plain?.invocations[0]?.toolExecutionNotifications, undefined);
  assert.equal(plain?.properties['truncated'], undefined);
});

/** finding:DETECTOR[/RULE] selectors: parsing and rejection of malformed ones. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseImpactSelector } from './impact.js';
import { parseFindingSelector } from './findings.js';

describe('finding selector', () => {
  test('parses a detector, or a detector and a rule; other kinds still go to parseSelector', () => {
    assert.deepEqual(parseImpactSelector('finding:poisoning'), { kind: 'finding', detector: 'poisoning' });
    assert.deepEqual(parseImpactSelector('finding:secrets/aws-access-key-id'), { kind: 'finding', detector: 'secrets', rule: 'aws-access-key-id' });
    assert.deepEqual(parseImpactSelector('vendor:acme'), { kind: 'vendor', vendor: 'acme' });
  });

  test('rejects empty, malformed and windowed finding selectors with LINEAGE_SELECTOR_INVALID', () => {
    for (const bad of ['finding:', 'finding:/rule', 'finding:poisoning/', 'finding:Poison ing', 'finding:a/b c', `finding:${'x'.repeat(41)}`]) {
      assert.throws(() => parseImpactSelector(bad), { code: 'LINEAGE_SELECTOR_INVALID' }, bad);
    }
    assert.throws(() => parseFindingSelector('finding:poisoning', { from: '2026-01-01T00:00:00.000Z' }), { code: 'LINEAGE_SELECTOR_INVALID' });
    assert.throws(() => parseImpactSelector('findings:poisoning'), { code: 'LINEAGE_SELECTOR_INVALID' });
  });
});

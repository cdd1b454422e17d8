import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, parseStrictJson } from '../core/index.js';
import { RecordError } from './errors.js';
import { parseJsonRecord } from './json-record.js';

const loc = { file: 'd.jsonl', line: 7 };

test('duplicate keys are refused wherever they hide, colons in names and strings included', () => {
  for (const text of [
    '{"a":"x:y","a":"z"}',
    '{"a":1,"b":{"c":"::","c":":"}}',
    '{"k:":1,"k:":2}',
    '{"a":[{"b":1},{"b":2,"b":3}]}',
    '{"t":"a:b:c","u":[":",":"],"t":1}',
  ]) {
    assert.throws(() => parseJsonRecord(text, loc), (e: unknown) => e instanceof RecordError && e.code === 'RECORD_JSON_DUPLICATE_KEY' && e.location?.line === 7, text);
  }
});

test('records with colons everywhere but no duplicate parse, and the canonical text is RFC 8785', () => {
  for (const text of [
    '{"a:b":"c:d","e":{"f:":[":", {"g":"h:i"}]},"n":-12}',
    '{"z":1,"a":{"y":":","b":"::"},"10":true}',
    '[":",{"b":1,"a":2}]',
    '"just:a:string"',
    '{}',
  ]) {
    const r = parseJsonRecord(text, loc);
    assert.deepEqual(r.value, JSON.parse(text));
    assert.equal(r.canonical, canonicalize(parseStrictJson(text)), text);
    assert.equal(r.canonical, r.canonical, 'stable on second read');
  }
});

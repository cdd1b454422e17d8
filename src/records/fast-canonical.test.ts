// The digest hot path (canonicalRecordText) must give the same canonical text as parseJsonRecord
// for every record, and the same coded error for every bad one: it may be faster, never laxer.
import { test } from 'node:test';
import { lcg, mutate, randomJson } from './fuzz-fixtures.js';
import assert from 'node:assert/strict';
import { canonicalize } from '../core/index.js';
import { canonicalRecordText, parseJsonRecord } from './json-record.js';

const loc = { file: 'f.jsonl', line: 3 };

const GOOD = [
  '{"question": "a\\nb", "answer": "x", "copy": 17}',
  ' { "b" : [1, 2.50, -0, 1e2, 1E-7, 0.1, 123456789012345, -9007199254740991, 1e300] , "a" : null } \r',
  '{"s":"\\/ \\u0041 \\u001F \\u001f \\u0008 \\b \\u00e9 \\u2028 é \u2028 \\"q\\" \\\\"}',
  '{"\\u0062":1,"a":2,"\\n":3,"é":4,"z":5,"1":6,"10":7,"2":8,"__proto__":{"x":[]}}',
  '[{"b":{"d":1,"c":[{"f":true,"e":false}]}},"x",[],{}]',
  '"just a string"',
  '42',
  '{"emoji":"😀 \\ud83d\\ude00","k":"\\u003a"}',
  `{"deep":${'['.repeat(100)}1${']'.repeat(100)}}`,
  '{"big":12345678901234567890.5,"neg":-1.5e-10,"int":9007199254740991}',
];

const BAD: ReadonlyArray<readonly [string, string]> = [
  // Invalid JSON of the shape the one-scan path handles: it must refuse it, never copy it.
  ['{"a":"\\x"}', 'RECORD_JSON_SYNTAX'],
  ['{"a":"\\u12G4"}', 'RECORD_JSON_SYNTAX'],
  ['{"a":"x\ty"}', 'RECORD_JSON_SYNTAX'],
  ['{"a":"abc', 'RECORD_JSON_SYNTAX'],
  ['{"a":01}', 'RECORD_JSON_SYNTAX'],
  ['{"a":-}', 'RECORD_JSON_SYNTAX'],
  ['{"a":-01}', 'RECORD_JSON_SYNTAX'],
  ['{"a":+1}', 'RECORD_JSON_SYNTAX'],
  ['{"a":1.}', 'RECORD_JSON_SYNTAX'],
  ['{"a":tru}', 'RECORD_JSON_SYNTAX'],
  ['{"a":nul}', 'RECORD_JSON_SYNTAX'],
  ['{"a":1 2}', 'RECORD_JSON_SYNTAX'],
  ['{"a" 1}', 'RECORD_JSON_SYNTAX'],
  ['{"a":1}}', 'RECORD_JSON_SYNTAX'],
  ['{"a":1}\u00a0', 'RECORD_JSON_SYNTAX'],
  ['\ufeff{"a":1}', 'RECORD_JSON_SYNTAX'],
  ['{"b":1, "a":[1,]}', 'RECORD_JSON_SYNTAX'],
  ['{"b":1, "a":{"c":1,}}', 'RECORD_JSON_SYNTAX'],
  ['{,"a":1}', 'RECORD_JSON_SYNTAX'],
  ['{"b": "x", "a": "\\q"}', 'RECORD_JSON_SYNTAX'],
  ['{"b": 1, "a": 2} {}', 'RECORD_JSON_SYNTAX'],
  ['{"b": {"c":1,"c":2}, "a": 0}', 'RECORD_JSON_DUPLICATE_KEY'],
  ['{"b": 1, "a": 2, "b": 3}', 'RECORD_JSON_DUPLICATE_KEY'],
  ['{"a":1,"a":2}', 'RECORD_JSON_DUPLICATE_KEY'],
  ['{"a":1,"\\u0061":2}', 'RECORD_JSON_DUPLICATE_KEY'],
  ['{"x":{"b":1,"c":2,"b":3}}', 'RECORD_JSON_DUPLICATE_KEY'],
  ['{"n":9007199254740993}', 'RECORD_UNSAFE_INTEGER'],
  ['{"n":-12345678901234567890}', 'RECORD_UNSAFE_INTEGER'],
  ['{"n":1e400}', 'RECORD_NUMBER_RANGE'],
  ['{"s":"\\ud800"}', 'RECORD_JSON_LONE_SURROGATE'],
  ['', 'RECORD_BLANK_LINE'],
  ['{"a":1,}', 'RECORD_JSON_SYNTAX'],
  ['{"a":1} x', 'RECORD_JSON_SYNTAX'],
  [`${'['.repeat(600)}${']'.repeat(600)}`, 'RECORD_JSON_TOO_DEEP'],
];

test('fast canonical text equals parseJsonRecord and RFC 8785 canonicalize on tricky records', () => {
  for (const line of GOOD) {
    const slow = parseJsonRecord(line, loc);
    assert.equal(canonicalRecordText(line, loc), slow.canonical, line);
    assert.equal(slow.canonical, canonicalize(JSON.parse(line)), line);
  }
});

test('every bad record fails on the fast path with the same code and location as parseJsonRecord', () => {
  for (const [line, code] of BAD) {
    assert.throws(() => parseJsonRecord(line, loc), { code }, `slow: ${line.slice(0, 40)}`);
    assert.throws(() => canonicalRecordText(line, loc), (err: unknown) => {
      const e = err as { code?: string; location?: { line?: number; file?: string } };
      return e.code === code && e.location?.line === 3 && e.location.file === 'f.jsonl';
    }, `fast: ${line.slice(0, 40)}`);
  }
});

test('randomised records: fast and slow canonical forms agree', () => {
  const r = lcg(12345);
  const keys = ['a', 'b', 'B', 'é', 'a b', '\n', '"', '10', '9', 'ü', 'zz'];
  const gen = randomJson(r, { keys, strings: ['', 'x\ty', 'q"\\', '\u0001\u001f', 'é😀', '/'], fractions: true });
  for (let i = 0; i < 2000; i++) {
    const v = gen(0);
    // Re-spell some escapes non-canonically (\/ and \u00XX) so both paths must rewrite them.
    const line = JSON.stringify(v, null, r(2) ? 1 : 0).replace(/\//g, '\\/').replace(/é/g, '\\u00E9');
    assert.equal(canonicalRecordText(line, loc), parseJsonRecord(line, loc).canonical, line);
  }
});

test('mutated records: the fast path accepts exactly what the strict parser accepts, with the same text or code', () => {
  const r = lcg(987654);
  const seeds = [
    '{"question": "a \\"b\\" c\\n\\u00e9 \\u2019 d/e", "answer": "x\\\\y\\u001f", "copy": 17}',
    '{"a":{"b":[1,-2,0,true,false,null,"s"]},"c":[],"d":{}}',
    ' {"z": -123456789012345 , "y" : [0] }',
  ];
  const alphabet = ['"', '\\', ':', ',', '{', '}', '[', ']', ' ', '\t', '0', '1', '-', '.', 'e', 'u', 'a', 't', 'n', '/', '\u00e9'];
  let accepted = 0;
  for (let i = 0; i < 4000; i++) {
    let line = seeds[r(seeds.length)] as string;
    line = mutate(line, r, alphabet);
    let slow: string | { code: string | undefined };
    let valid = false;
    try {
      slow = parseJsonRecord(line, loc).canonical;
      valid = true;
    } catch (err) {
      slow = { code: (err as { code?: string }).code };
    }
    if (valid) accepted++;
    if (typeof slow === 'string') assert.equal(canonicalRecordText(line, loc), slow, line);
    else assert.throws(() => canonicalRecordText(line, loc), { code: slow.code }, line);
  }
  // Both outcomes must be well represented for the comparison to mean anything.
  assert.ok(accepted > 400 && accepted < 3600, `accepted ${accepted} of 4000`);
});

// RFC 8785 (JCS) vectors for core's canonicalize, taken from the RFC text: §3.2.2.3 number
// serialization examples, §3.2.3 sorting example, and the Appendix B IEEE 754 → JSON table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalize, parseStrictJson } from '../core/index.js';
import { recordDigest } from './index.js';

/** Reads an IEEE 754 double from 16 hex digits (how RFC 8785 Appendix B states its inputs). */
function fromHex(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

test('RFC 8785 Appendix B: IEEE 754 doubles serialize as specified', () => {
  const table: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // -0 serializes as 0
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [hex, want] of table) assert.equal(canonicalize(fromHex(hex)), want, hex);
});

test('RFC 8785 Appendix B: NaN and Infinity are refused', () => {
  for (const hex of ['7fffffffffffffff', '7ff0000000000000']) {
    assert.throws(() => canonicalize(fromHex(hex)), { code: 'CANONICAL_NUMBER' });
  }
});

test('RFC 8785 §3.2.2.3: 1e21 and 1e-7 switch to exponent form', () => {
  assert.equal(canonicalize(1e21), '1e+21');
  assert.equal(canonicalize(1e20), '100000000000000000000');
  assert.equal(canonicalize(1e-7), '1e-7');
  assert.equal(canonicalize(0.000001), '0.000001');
  assert.equal(canonicalize(-0), '0');
});

test('RFC 8785 §3.2.3: properties sorted by UTF-16 code units', () => {
  // The RFC's example: keys written in an arbitrary order, sorted by UTF-16 code units.
  const input = '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}';
  const want =
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
  assert.equal(canonicalize(parseStrictJson(input)), want);
});

test('RFC 8785 §3.2.4 example: whitespace removed, literals and escapes normalized', () => {
  const input = `{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
    "literals": [null, true, false]
  }`;
  const want = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
  assert.equal(canonicalize(parseStrictJson(input)), want);
});

test('record digest is SHA-256 of the canonical UTF-8 bytes, independent of key order and spacing', () => {
  const a = recordDigest(parseStrictJson('{"b": 1, "a": [1.0, "x"]}'));
  const b = recordDigest(parseStrictJson('{"a":[1,"x"],"b":1}'));
  assert.deepEqual(a, b);
  assert.deepEqual(a, createHash('sha256').update(Buffer.from('{"a":[1,"x"],"b":1}', 'utf8')).digest());
  assert.notDeepEqual(a, recordDigest(parseStrictJson('{"a":[1,"x"],"b":2}')));
});

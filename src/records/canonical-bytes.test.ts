// The byte-level fast path (canonicalJsonBytes) must give exactly the UTF-8 of the strict path's
// canonical text for every record it accepts, and accept no invalid record: whatever it declines
// goes the string path, which raises the coded error.
import { test } from 'node:test';
import { lcg, mutate, randomJson } from './fuzz-fixtures.js';
import assert from 'node:assert/strict';
import { beginBlock, canonicalJsonBytes } from './canonical-bytes.js';
import { parseJsonRecord } from './json-record.js';
import { digestLineChunk } from './chunk.js';
import { canonicalize } from '../core/index.js';
import { createHash } from 'node:crypto';

const loc = { file: 'f.jsonl', line: 1 };

/** Strict canonical UTF-8 of `line`, or undefined when the strict parser refuses it. */
function strict(line: string): Buffer | undefined {
  try {
    return Buffer.from(parseJsonRecord(line, loc).canonical, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs the byte path on `line` placed inside a block between other lines (as the worker does). */
function viaBlock(line: string, pad: string): Uint8Array | undefined {
  const block = Buffer.from(`${pad}\n${line}\n${pad}`, 'utf8');
  const start = Buffer.byteLength(pad) + 1;
  beginBlock(block);
  const out = canonicalJsonBytes(block, start, start + Buffer.byteLength(line));
  return out === undefined ? undefined : Buffer.from(out);
}

function check(line: string): 'fast' | 'declined' {
  const want = strict(line);
  // Clean blocks (memchr search) and blocks holding a control byte elsewhere (byte loop) alike.
  const results = [viaBlock(line, '{"a":1}'), viaBlock(line, '{"a":"\t"}'), viaBlock(line, '')];
  for (const got of results) {
    if (got === undefined) continue;
    assert.ok(want !== undefined, `byte path accepted invalid ${JSON.stringify(line)}`);
    assert.equal(Buffer.from(got).toString('utf8'), want.toString('utf8'), line);
  }
  return results[0] === undefined ? 'declined' : 'fast';
}

test('usual records are canonicalized on their bytes, equal to the strict canonical text', () => {
  const usual = [
    '{"question": "a \\"b\\" c\\n d/e", "answer": "x\\\\y\\u001f", "copy": 17}',
    '{"question": "Weng\\u2019s \\u00d7 \\u20ac \\/ \\u0041 \\u001F \\u0008 \\u0022 \\u005c", "copy": -3}',
    '  {"b":{"x":[1,{"a":null}],"y":true},"a":[],"c":{}}  \r',
    '{"a":1}',
    '{}',
    '{ }',
    '{"é": "ü😀 raw", "z": "\u2028"}',
    '{"k": "\\u00e9\\u00E9"}',
    '{"b":1,"a":2,"c":-0}',
    '{"n": 123456789012345, "m": -12345678901234}',
  ];
  const paths = usual.map(check);
  // The common shapes do take the byte path (non-ASCII names and -0 go the string way).
  assert.deepEqual(paths, ['fast', 'fast', 'fast', 'fast', 'fast', 'fast', 'declined', 'fast', 'declined', 'fast']);
});

test('invalid or unusual records are declined, never copied', () => {
  const declined = [
    '{"a":"\\x"}',
    '{"a":"\\u12G4"}',
    '{"a":"x\ty"}',
    '{"a":"abc',
    '{"a":01}',
    '{"a":-}',
    '{"a":1.}',
    '{"a":1.5}',
    '{"a":1e2}',
    '{"a":tru}',
    '{"a":1 2}',
    '{"a" 1}',
    '{"a":1}}',
    '{"a":1}\u00a0',
    '\ufeff{"a":1}',
    '{"b":1, "a":[1,]}',
    '{"b":1, "a":{"c":1,}}',
    '{,"a":1}',
    '{"b": 1, "a": 2} {}',
    '{"b": {"c":1,"c":2}, "a": 0}',
    '{"b": 1, "a": 2, "b": 3}',
    '{"a":1,"a":2}',
    '{"a":1,"\\u0061":2}',
    '{"n":9007199254740993}',
    '{"n":1e400}',
    '{"s":"\\ud800"}',
    '{"s":"\\ud83d\\ude00"}',
    '',
    '   ',
    '{"a":1,}',
    '[1]',
    '"s"',
    '{"a":[1, 2]}',
    `{"deep":${'['.repeat(100)}1${']'.repeat(100)}}`,
  ];
  for (const line of declined) {
    assert.equal(viaBlock(line, '{"a":1}'), undefined, line);
    assert.equal(viaBlock(line, '{"a":"\t"}'), undefined, line);
    check(line);
  }
});

test('randomised and mutated records: the byte path agrees with the strict parser', () => {
  const r = lcg(4242);
  const keys = ['a', 'b', 'B', 'a b', '10', '9', 'zz', '_', 'é'];
  const gen = randomJson(r, { keys, strings: ['', 'q"\\', '\u0001\u001f\n', 'é😀’', '/', '\u007f'] });
  let fast = 0;
  for (let i = 0; i < 3000; i++) {
    const o: Record<string, unknown> = {};
    for (let k = r(5); k > 0; k--) o[keys[r(keys.length)] as string] = gen(1);
    let line = JSON.stringify(o, null, r(3) === 0 ? 1 : 0);
    if (r(2)) line = line.replace(/,"/g, ', "').replace(/":/g, '": ');
    // Non-canonical spellings the byte path re-spells.
    line = line.replace(/\//g, '\\/').replace(/’/g, '\\u2019').replace(/é/g, r(2) ? '\\u00e9' : '\\u00E9');
    if (check(line) === 'fast') fast++;
  }
  assert.ok(fast > 1000, `byte path taken for ${fast} of 3000`);
  const seeds = ['{"question": "a \\"b\\" c\\n\\u00e9 \\u2019 d/e", "answer": "x\\\\y\\u001f", "copy": 17}', '{"a":{"b":[1,-2,0,true,false,null,"s"]},"c":[],"d":{}}'];
  const alphabet = ['"', '\\', ':', ',', '{', '}', '[', ']', ' ', '\t', '0', '1', '-', '.', 'e', 'u', 'a', 't', 'n', '/', '\u00e9', 'D', '8'];
  let accepted = 0;
  for (let i = 0; i < 6000; i++) {
    let line = seeds[r(seeds.length)] as string;
    line = mutate(line, r, alphabet);
    if (check(line) === 'fast') accepted++;
  }
  assert.ok(accepted > 500 && accepted < 5500, `byte path accepted ${accepted} of 6000`);
});

test('a chunk digests the same whether its lines take the byte path or the string path', () => {
  const lines = [
    '{"question": "a\\nb", "answer": "x \\u2019", "copy": 1}',
    '{"b": 2.5, "a": 1}',
    '{"z":[1,2],"a":{"y":1,"x":2}}',
    '{"é": 1}',
    '{"a": "\\ud83d\\ude00"}',
  ];
  const block = Buffer.from(`\ufeff${lines.join('\r\n')}\n${lines.join('\n')}`, 'utf8');
  const r = digestLineChunk('jsonl', block, 'f.jsonl', true);
  assert.equal(r.failure, undefined);
  const want = [...lines, ...lines].map((l) => createHash('sha256').update(canonicalize(JSON.parse(l)), 'utf8').digest());
  assert.equal(r.count, want.length);
  assert.deepEqual(r.digests, Buffer.concat(want));
});

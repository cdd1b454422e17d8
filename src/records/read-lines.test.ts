// The JSONL reader over a byte stream cut anywhere: records, lines, key order and errors must not
// depend on where the stream's pieces end (a piece boundary inside a line, inside a multi-byte
// character, right after a newline, or a line spread over many pieces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError, recordsFromBytes, type RecordItem } from './index.js';

async function* pieces(buf: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let k = 0; at < buf.length; k++) {
    const n = sizes[k % sizes.length] as number;
    // A fresh buffer per piece, as a file stream hands out.
    yield Buffer.from(buf.subarray(at, at + n));
    at += n;
  }
}

async function readAll(buf: Buffer, sizes: readonly number[]): Promise<RecordItem[]> {
  const out: RecordItem[] = [];
  for await (const r of recordsFromBytes('jsonl', pieces(buf, sizes), 'd.jsonl')) out.push(r);
  return out;
}

async function failure(buf: Buffer, sizes: readonly number[]): Promise<{ err: RecordError; before: number }> {
  const seen: RecordItem[] = [];
  try {
    for await (const r of recordsFromBytes('jsonl', pieces(buf, sizes), 'd.jsonl')) seen.push(r);
  } catch (err) {
    assert.ok(err instanceof RecordError, String(err));
    return { err, before: seen.length };
  }
  assert.fail('expected the reader to fail');
}

const LINES = [
  '{"b":1,"a":"plain ascii"}',
  '{"text":"caf\u00e9 \u2014 \u65e5\u672c\u8a9e \ud83d\ude00"}',
  '{"z":{"y":[1,2,{"x":"deep"}]},"a":null}',
  '{"text":"' + 'long '.repeat(400) + '"}',
  '{"text":"\u200b zero width and \u202e bidi"}',
];
const BODY = Buffer.from(LINES.map((l) => l + '\n').join(''), 'utf8');
const SPLITS: ReadonlyArray<readonly number[]> = [[BODY.length], [1], [2, 3], [7], [29, 1, 64], [4096]];

test('records and lines are the same whatever the piece boundaries, multi-byte characters included', async () => {
  const want = LINES.map((l) => JSON.parse(l) as unknown);
  for (const sizes of SPLITS) {
    const got = await readAll(BODY, sizes);
    assert.deepEqual(
      got.map((r) => r.value),
      want,
      `pieces ${sizes.join(',')}`,
    );
    assert.deepEqual(
      got.map((r) => [r.index, r.line]),
      LINES.map((_, i) => [i, i + 1]),
    );
  }
});

test('values keep the key order of the file (no reordering into canonical order)', async () => {
  const [first, , third] = await readAll(BODY, [5]);
  assert.deepEqual(Object.keys(first?.value as object), ['b', 'a']);
  assert.deepEqual(Object.keys(third?.value as object), ['z', 'a']);
});

test('a byte order mark at the start is skipped, CRLF endings and a last line without newline are read', async () => {
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n{"a":2}\r\n{"a":3}')]);
  for (const sizes of [[1], [2], [buf.length]]) {
    const got = await readAll(buf, sizes);
    assert.deepEqual(
      got.map((r) => r.value),
      [{ a: 1 }, { a: 2 }, { a: 3 }],
    );
  }
});

test('invalid UTF-8 is refused at its line, after the valid lines before it, wherever the pieces end', async () => {
  const buf = Buffer.concat([Buffer.from('{"a":1}\n{"a":"\u00e9"}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":4}\n')]);
  for (const sizes of [[1], [3], [buf.length]]) {
    const { err, before } = await failure(buf, sizes);
    assert.equal(err.code, 'RECORD_INVALID_UTF8');
    assert.equal(err.location?.line, 3);
    assert.equal(before, 2);
  }
});

test('a truncated multi-byte character at the very end is invalid UTF-8 on the last line', async () => {
  const buf = Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xe6, 0x97])]);
  const { err } = await failure(buf, [4]);
  assert.equal(err.code, 'RECORD_INVALID_UTF8');
  assert.equal(err.location?.line, 2);
});

test('a blank line, a duplicate key and a broken record are refused at their line whatever the pieces', async () => {
  const cases: Array<[string, string, number]> = [
    ['{"a":1}\n\n{"a":2}\n', 'RECORD_BLANK_LINE', 2],
    ['{"a":1}\n{"a":1,"a":2}\n', 'RECORD_JSON_DUPLICATE_KEY', 2],
    ['{"a":1}\n{"a":1}\n{"a":\n', 'RECORD_JSON_SYNTAX', 3],
  ];
  for (const [text, code, line] of cases) {
    for (const sizes of [[1], [5], [text.length]]) {
      const { err } = await failure(Buffer.from(text), sizes);
      assert.equal(err.code, code, `${JSON.stringify(text)} in pieces of ${sizes.join(',')}`);
      assert.equal(err.location?.line, line);
    }
  }
});

/** The line-by-line JSONL reader: what a caller sees before an error must not depend on where the stream is cut. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordsFromBytes } from './index.js';

async function collect(bytes: Buffer, cuts: number[]): Promise<{ records: Array<[number, number | undefined]>; error?: [string, number | undefined] }> {
  const pieces: Buffer[] = [];
  let p = 0;
  for (const c of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(p, c));
    p = c;
  }
  async function* src(): AsyncGenerator<Buffer> {
    for (const x of pieces) yield x;
  }
  const records: Array<[number, number | undefined]> = [];
  try {
    for await (const r of recordsFromBytes('jsonl', src(), 'f.jsonl')) records.push([r.index, r.line]);
  } catch (err) {
    const e = err as { code: string; location?: { line?: number } };
    return { records, error: [e.code, e.location?.line] };
  }
  return { records };
}

test('the records before a bad JSONL line are yielded (or not) whatever the stream cuts, as for invalid UTF-8', async () => {
  // Invalid UTF-8 on line 2: line 1 is yielded, then the error (by design, in every cut).
  // A blank line (or a syntax error) on line 2 must behave the same way in every cut.
  const bytes = Buffer.from('{"a":1}\n\n{"b":2}\n');
  const whole = await collect(bytes, []);
  for (let i = 1; i < bytes.length; i++) assert.deepEqual(await collect(bytes, [i]), whole, `cut at ${i}`);
});

// Differential fuzzing of the byte-level canonicalizer (canonicalJsonBytes) against the strict
// string path: for every generated or mutated JSONL line, either both accept with identical
// canonical bytes, or the byte path declines. Lines are fed as the worker feeds them (several
// lines of one block, in order, sharing the block's clean state and quote/backslash cache), and
// whole blocks go through digestLineChunk against a strict-only reference. Seeded: deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beginBlock, canonicalJsonBytes } from './canonical-bytes.js';
import { canonicalRecordText, parseJsonRecord } from './json-record.js';
import { digestLineChunk } from './chunk.js';
import { stripBom } from './lines.js';
import { canonicalize, parseStrictJson } from '../core/index.js';
import { seededRandom } from '../core/index.js';


const loc = { file: 'f.jsonl', line: 1 };

interface Strict {
  readonly ok: boolean;
  readonly bytes?: Buffer;
}

/** All strict answers for one line; they must agree with each other on what they accept. */
function strictOf(text: string): Strict {
  let rec: string | undefined;
  let crt: string | undefined;
  try {
    rec = parseJsonRecord(text, loc).canonical;
  } catch {
    rec = undefined;
  }
  try {
    crt = canonicalRecordText(text, loc);
  } catch {
    crt = undefined;
  }
  assert.equal(crt, rec, `canonicalRecordText and parseJsonRecord disagree on ${JSON.stringify(text)}`);
  if (rec === undefined) return { ok: false };
  // core's canonicalize(parseStrictJson) is the reference (records refuse more: unsafe integers).
  const core = canonicalize(parseStrictJson(text, { maxDepth: 512 }));
  assert.equal(rec, core, `record path and core disagree on ${JSON.stringify(text)}`);
  return { ok: true, bytes: Buffer.from(rec, 'utf8') };
}

const NUMBERS = [
  '0', '-0', '0.0', '-0.0', '1', '-1', '1e5', '1E+2', '1e-2', '1.5', '10', '100', '01', '-01', '00', '-', '+1', '.5', '1.', '1e', '1e+',
  '123456789012345', '-12345678901234', '-123456789012345', '1234567890123456', '12345678901234567', '999999999999999',
  '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740991', '-9007199254740993', '1e400', '-1e400',
  '5e-324', '1.0e2', '0e0', '100000000000000000000', '2', '7',
];
const KEYS = ['a', 'b', 'B', 'aa', 'ab', '', ' ', 'z', 'Z', '_', '~', '10', '2', 'é', 'ü', '€', '😀', '\u2028', 'a b', 'a:b', 'q"', 'b\\', 'x/'];

function escapeOf(r: () => number, ch: string): string {
  const code = ch.codePointAt(0) as number;
  const pick = r();
  if (code > 0xffff) {
    const hi = 0xd800 + ((code - 0x10000) >> 10);
    const lo = 0xdc00 + ((code - 0x10000) & 0x3ff);
    return pick < 0.5 ? ch : `\\u${hex(r, hi)}\\u${hex(r, lo)}`;
  }
  if (ch === '"') return pick < 0.6 ? '\\"' : `\\u${hex(r, code)}`;
  if (ch === '\\') return pick < 0.6 ? '\\\\' : `\\u${hex(r, code)}`;
  if (ch === '/' && pick < 0.5) return '\\/';
  const short: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  if (code < 0x20) return short[ch] !== undefined && pick < 0.5 ? short[ch] : `\\u${hex(r, code)}`;
  return pick < 0.75 ? ch : `\\u${hex(r, code)}`;
}

/** Four hex digits of `v`, each digit in random case. */
function hex(r: () => number, v: number): string {
  return [...v.toString(16).padStart(4, '0')].map((d) => (r() < 0.5 ? d.toUpperCase() : d)).join('');
}

const CHARS = [
  'a', 'b', 'z', 'A', ' ', '/', '"', '\\', ':', ',', '{', '}', '\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r', '\u001f', '\u007f', '\u0080',
  '\u00e9', '\u2019', '\u2028', '\u2029', '\ufeff', '\uffff', '😀', '€', '0',
];

function genString(r: () => number, maxLen: number, key: boolean): string {
  if (key && r() < 0.7) {
    const k = KEYS[Math.floor(r() * KEYS.length)] as string;
    return `"${[...k].map((c) => (r() < 0.15 || c === '"' || c === '\\' ? escapeOf(r, c) : c)).join('')}"`;
  }
  const n = Math.floor(r() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = CHARS[Math.floor(r() * CHARS.length)] as string;
    s += c.charCodeAt(0) < 0x20 || c === '"' || c === '\\' || r() < 0.3 ? escapeOf(r, c) : c;
  }
  // Lone surrogate escapes, now and then.
  if (r() < 0.03) s += `\\u${hex(r, 0xd800 + Math.floor(r() * 0x800))}`;
  return `"${s}"`;
}

function ws(r: () => number, p: number): string {
  if (r() >= p) return '';
  const opts = [' ', '\t', '\r', '  ', ' \t ', '\r '];
  return opts[Math.floor(r() * opts.length)] as string;
}

function genValue(r: () => number, depth: number, wsp: number): string {
  const x = r();
  if (depth > 0 && x < 0.2) return genString(r, 8, false);
  if (depth > 0 && x < 0.35) return NUMBERS[Math.floor(r() * NUMBERS.length)] as string;
  if (depth > 0 && x < 0.42) return ['true', 'false', 'null'][Math.floor(r() * 3)] as string;
  if (depth > 0 && x < 0.55) {
    const n = Math.floor(r() * 4);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(ws(r, wsp) + genValue(r, depth + 1, wsp) + ws(r, wsp));
    return `[${items.length === 0 ? ws(r, wsp) : items.join(',')}]`;
  }
  if (depth > 3 && x < 0.9) return genString(r, 4, false);
  const n = Math.floor(r() * (depth === 0 ? 6 : 4));
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    members.push(`${ws(r, wsp)}${genString(r, 6, true)}${ws(r, wsp)}:${ws(r, wsp)}${genValue(r, depth + 1, wsp)}${ws(r, wsp)}`);
  }
  // Usually sorted (the verbatim path), sometimes shuffled; duplicates come from the key pool.
  if (r() < 0.5) members.sort((p, q) => (p.trim() < q.trim() ? -1 : 1));
  return `{${members.length === 0 ? ws(r, wsp) : members.join(',')}}`;
}

function nested(r: () => number): string {
  const depth = 55 + Math.floor(r() * 20);
  let s = '1';
  for (let d = 0; d < depth; d++) s = r() < 0.5 ? `[${s}]` : `{"k":${s}}`;
  return `{"a":${s}}`;
}

const ASCII_KEYS = ['a', 'b', 'B', 'aa', 'ab', '', ' ', 'z', 'Z', '_', '~', '10', '2', 'a:b', 'x/', 'a b', '\u007f'];
const PLAIN = ['', 'x', 'a b', 'é', '😀', '\u2028', 'q\\"', '\\\\', '\\n\\t', '\\u001f', '/', ':', '\u007f'];
const RESPELT = ['\\/', '\\u2019', '\\u00E9', '\\u0041', '\\u001F', '\\u0008', '\\u0022', '\\u005c', '\\u005C', '\\u003a', '\\uFFFF', '\\u0000', '\\u007f', '\\u0080', '\\u07ff', '\\u0800'];

/** A record in the shape the byte path takes (ASCII names, canonical or re-spellable values). */
function nearCanonical(r: () => number, depth: number): string {
  const n = Math.floor(r() * 5);
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = ASCII_KEYS[Math.floor(r() * ASCII_KEYS.length)] as string;
    const y = r();
    let v: string;
    if (y < 0.35) {
      v = '"';
      const parts = 1 + Math.floor(r() * 3);
      for (let p = 0; p < parts; p++) {
        const pool = r() < 0.5 ? PLAIN : RESPELT;
        v += pool[Math.floor(r() * pool.length)] as string;
      }
      v += '"';
    } else if (y < 0.55) v = r() < 0.3 ? (NUMBERS[Math.floor(r() * NUMBERS.length)] as string) : String(Math.floor((r() - 0.5) * 10 ** Math.floor(r() * 16)));
    else if (y < 0.65) v = ['true', 'false', 'null', '[]', '{}', '[1,"a",{}]'][Math.floor(r() * 6)] as string;
    else if (y < 0.8 && depth < 3) v = nearCanonical(r, depth + 1);
    else if (depth < 3) v = `[${nearCanonical(r, depth + 1)},${genString(r, 3, false)}]`;
    else v = '0';
    members.push(`"${k}":${v}`);
  }
  if (r() < 0.5) members.sort();
  const sep = depth === 0 && r() < 0.3 ? ws(r, 1) : '';
  return `{${members.map((m) => sep + m.replace(':', `${sep}:${sep}`) + sep).join(',')}}`;
}

/** A line: generated, then maybe mutated at the text level. */
function genLine(r: () => number): string {
  let line: string;
  const x = r();
  if (x < 0.45) line = nearCanonical(r, 0);
  else if (x < 0.48) line = nested(r);
  else if (x < 0.06) line = genValue(r, 1, 0.2); // non-object top level (or a string...)
  else line = ws(r, 0.1) + genValue(r, 0, r() < 0.5 ? 0 : 0.2) + ws(r, 0.1);
  const m = r();
  if (m < 0.3) {
    const mutations = 1 + Math.floor(r() * 3);
    for (let k = 0; k < mutations; k++) line = mutate(r, line);
  }
  if (r() < 0.02) line = '\ufeff' + line;
  return line;
}

const INSERTS = ['"', '\\', ':', ',', '{', '}', '[', ']', ' ', '\t', '\r', '\u0000', '\u001f', '\u007f', 'u', '0', '-', '.', 'e', 'é', '\\u', '\\/', '\\"', '\\u0022', '\\u005C', '\\u003a', '\\ud800', '\\udc00', '\\u2019', '\\u00e9'];

const STRUCTURAL = ['{', '}', '[', ']', ',', ':', '"'];

function mutate(r: () => number, line: string): string {
  const chars = [...line];
  if (chars.length === 0) return line;
  const p = Math.floor(r() * chars.length);
  const op = Math.floor(r() * 7);
  if (op === 6) {
    // Swap one structural character for another (mismatched brackets, ':' for ',', ...).
    const at = chars.flatMap((c, k) => (STRUCTURAL.includes(c) ? [k] : []));
    if (at.length > 0) chars[at[Math.floor(r() * at.length)] as number] = STRUCTURAL[Math.floor(r() * STRUCTURAL.length)] as string;
    return chars.join('');
  }
  if (op === 0) chars.splice(p, 1); // delete
  else if (op === 1) chars.splice(p, 0, INSERTS[Math.floor(r() * INSERTS.length)] as string); // insert
  else if (op === 2) chars[p] = INSERTS[Math.floor(r() * INSERTS.length)] as string; // replace
  else if (op === 3) return chars.slice(0, p).join(''); // truncate
  else if (op === 4) {
    const q = Math.min(chars.length, p + 1 + Math.floor(r() * 8));
    chars.splice(q, 0, ...chars.slice(p, q)); // duplicate a span
  } else if (op === 5) {
    const q = Math.floor(r() * chars.length);
    const t = chars[p] as string;
    chars[p] = chars[q] as string;
    chars[q] = t;
  }
  return chars.join('');
}

const NEIGHBOURS = ['{"a":1}', '{"q":"\\"\\\\\\""}', '{"t":"\t"}', '"\\\\\\\\"', '{"x":"\\u0041"}', '', '{}', '{"b":"\\/"}'];

/** Byte-level mutations (invalid UTF-8 and raw control bytes) of an encoded line. */
function mutateBytes(r: () => number, b: Buffer): Buffer {
  const bad = [0x80, 0xbf, 0xc0, 0xc1, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf5, 0xff, 0x00, 0x09, 0x0d, 0x1f];
  const p = Math.floor(r() * (b.length + 1));
  return Buffer.concat([b.subarray(0, p), Buffer.from([bad[Math.floor(r() * bad.length)] as number]), b.subarray(p)]);
}

interface Stats {
  lines: number;
  fast: number;
  strictOk: number;
  blocks: number;
}

function sha(b: Uint8Array | string): Buffer {
  return createHash('sha256').update(b).digest();
}

/** Builds one block of lines, checks each line as the worker feeds it, then the whole chunk. */
function runBlock(r: () => number, stats: Stats): void {
  const n = 1 + Math.floor(r() * 6);
  const lines: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const text = r() < 0.25 ? (NEIGHBOURS[Math.floor(r() * NEIGHBOURS.length)] as string) : genLine(r);
    let bytes: Buffer = Buffer.from(text, 'utf8');
    if (r() < 0.04) bytes = mutateBytes(r, bytes);
    if (r() < 0.2) bytes = Buffer.concat([bytes, Buffer.from('\r')]);
    lines.push(bytes);
  }
  // An empty last line without its '\n' is no line at all.
  const trailing = r() < 0.7 || (lines[n - 1] as Buffer).length === 0;
  const joined = Buffer.concat(lines.flatMap((l, i) => (i < n - 1 || trailing ? [l, Buffer.from('\n')] : [l])));
  // At a random byte offset of its ArrayBuffer (the clean-block check reads words).
  const off = Math.floor(r() * 8);
  const backing = Buffer.alloc(joined.length + off + 8, 0x09);
  joined.copy(backing, off);
  const block = backing.subarray(off, off + joined.length);
  const firstInFile = r() < 0.5;
  stats.blocks++;

  // Strict reference, line by line, stopping at the first failure.
  const ref: Buffer[] = [];
  let refFailLine = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for (let i = 0; i < n; i++) {
    let text: string;
    try {
      text = utf8.decode(lines[i]);
    } catch {
      refFailLine = i + 1;
      break;
    }
    if (i === 0 && firstInFile) text = stripBom(text);
    const s = strictOf(text);
    stats.lines++;
    if (!s.ok) {
      refFailLine = i + 1;
      break;
    }
    stats.strictOk++;
    ref.push(sha(s.bytes as Buffer));
  }

  // The byte path as the worker calls it (valid UTF-8 blocks only), lines in order in one block.
  if (Buffer.isBuffer(block) && isValidUtf8(block)) {
    beginBlock(block);
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = start + (lines[i] as Buffer).length;
      const got = canonicalJsonBytes(block, start, end);
      if (got !== undefined) {
        stats.fast++;
        const text = (lines[i] as Buffer).toString('utf8');
        const want = strictOf(i === 0 && firstInFile ? stripBom(text) : text);
        const shown = JSON.stringify(text);
        assert.ok(want.ok, `byte path accepted a line the strict path refuses: ${shown} (line ${i + 1} of ${JSON.stringify(block.toString('utf8'))})`);
        assert.equal(Buffer.from(got).toString('hex'), (want.bytes as Buffer).toString('hex'), `canonical bytes differ for ${shown}`);
      }
      start = end + 1;
    }
    // Lines out of order in the same block (the quote/backslash cache must search backwards too).
    const starts: number[] = [];
    for (let i = 0, p = 0; i < n; i++) {
      starts.push(p);
      p += (lines[i] as Buffer).length + 1;
    }
    for (let i = n - 1; i >= 0; i--) {
      const got = canonicalJsonBytes(block, starts[i] as number, (starts[i] as number) + (lines[i] as Buffer).length);
      if (got === undefined) continue;
      const text = (lines[i] as Buffer).toString('utf8');
      const want = strictOf(i === 0 && firstInFile ? stripBom(text) : text);
      assert.ok(want.ok, `byte path (out of order) accepted ${JSON.stringify(text)}`);
      assert.equal(Buffer.from(got).toString('hex'), (want.bytes as Buffer).toString('hex'), `canonical bytes (out of order) differ for ${JSON.stringify(text)}`);
    }
  }

  const chunk = digestLineChunk('jsonl', block, 'f.jsonl', firstInFile, trailing ? n : undefined);
  const got = [];
  for (let i = 0; i < chunk.count; i++) got.push(chunk.digests.subarray(i * 32, i * 32 + 32).toString('hex'));
  assert.deepEqual(got, ref.map((d) => d.toString('hex')), `chunk digests differ for ${JSON.stringify(block.toString('latin1'))} (${JSON.stringify(chunk.failure)}) first=${firstInFile} b64=${block.toString('base64')}`);
  if (refFailLine === 0) assert.equal(chunk.failure, undefined, `chunk failed where strict accepts: ${JSON.stringify(block.toString('latin1'))}`);
  else assert.equal(chunk.failure?.line, refFailLine, `chunk failure line for ${JSON.stringify(block.toString('latin1'))}`);
}

function isValidUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

test('byte path never disagrees with the strict path on generated and mutated lines (seeded)', () => {
  const r = seededRandom(0x5eed2026);
  const stats: Stats = { lines: 0, fast: 0, strictOk: 0, blocks: 0 };
  const started = process.cpuUsage();
  for (let k = 0; k < 6000; k++) runBlock(r, stats);
  const cpu = process.cpuUsage(started);
  // The generator must exercise both outcomes in bulk, or the test proves little.
  assert.ok(stats.fast > 3000, `byte path accepted only ${stats.fast} lines`);
  assert.ok(stats.lines - stats.strictOk > 1000, `strict path refused only ${stats.lines - stats.strictOk} lines`);
  assert.ok(cpu.user + cpu.system < 8e6, 'fuzzing budget exceeded');
});

test('every \\u escape of a control, ASCII and a few other code units, in either hex case, in names and values', () => {
  const r = seededRandom(7);
  const units = [...Array(0x80).keys(), 0x80, 0xe9, 0x7ff, 0x800, 0x2019, 0x2028, 0xfeff, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff];
  let fast = 0;
  for (const u of units) {
    for (const spelling of [hex(r, u).toLowerCase(), hex(r, u).toUpperCase(), hex(r, u)]) {
      for (const line of [`{"v":"x\\u${spelling}y"}`, `{"\\u${spelling}":1}`, `{"b":1,"a":"\\u${spelling}"}`, `{"a":{"b":"\\u${spelling}"}}`]) {
        for (const pad of ['{"a":1}', '{"a":"\t"}', '{"q":"\\\\\\""}']) {
          const block = Buffer.from(`${pad}\n${line}\r\n${pad}`, 'utf8');
          beginBlock(block);
          assert.equal(canonicalJsonBytes(block, 0, pad.length) !== undefined || pad.includes('\t'), true);
          const start = Buffer.byteLength(pad) + 1;
          const got = canonicalJsonBytes(block, start, start + Buffer.byteLength(line) + 1);
          if (got === undefined) continue;
          fast++;
          const want = strictOf(line);
          assert.ok(want.ok, line);
          assert.equal(Buffer.from(got).toString('utf8'), (want.bytes as Buffer).toString('utf8'), line);
        }
      }
    }
  }
  assert.ok(fast > 500);
});

test('a raw control byte anywhere in a string is refused, whatever the block length and alignment', () => {
  // The clean-block check reads aligned 32-bit words: a control byte in the head, a word group
  // or the tail must all be seen, and blocks shorter than a word must not throw.
  const backing = Buffer.alloc(160);
  for (let len = 0; len <= 70; len++) {
    for (let off = 0; off < 8; off++) {
      const body = 'x'.repeat(len);
      for (const ctl of [0x00, 0x01, 0x09, 0x0d, 0x1f]) {
        for (let at = 0; at < len; at++) {
          const line = Buffer.from(`{"a":"${body}"}`);
          line[6 + at] = ctl;
          backing.fill(0x20);
          line.copy(backing, off);
          const block = backing.subarray(off, off + line.length);
          beginBlock(block);
          assert.equal(canonicalJsonBytes(block, 0, block.length), undefined, `control 0x${ctl.toString(16)} at ${at}, len ${len}, offset ${off}`);
        }
      }
      const ok = Buffer.from(`{"a":"${body}"}`);
      ok.copy(backing, off);
      const block = backing.subarray(off, off + ok.length);
      beginBlock(block);
      assert.equal(Buffer.from(canonicalJsonBytes(block, 0, block.length) ?? []).toString(), ok.toString());
    }
  }
});

test('regression: blocks shorter than the distance to a word boundary are canonicalized, not an internal error', () => {
  // controlFree built an Int32Array view off the 4-byte boundary (RangeError) for such blocks,
  // and digestLineChunk reported RECORD_INTERNAL for valid records.
  const backing = Buffer.alloc(16);
  for (const text of ['{}', '{}\n', '[]\n', '1']) {
    for (let off = 0; off < 4; off++) {
      backing.write(text, off);
      const block = backing.subarray(off, off + text.length);
      const r = digestLineChunk('jsonl', block, 'f.jsonl', true);
      assert.equal(r.failure, undefined, `${JSON.stringify(text)} at offset ${off}`);
      assert.equal(r.digests.toString('hex'), sha(canonicalRecordText(text.trim(), loc)).toString('hex'));
    }
  }
});

test('many members, duplicates among them, and records longer than the reused output buffer', () => {
  const r = seededRandom(99);
  let fast = 0;
  for (let k = 0; k < 400; k++) {
    const n = 1 + Math.floor(r() * 40);
    const names = Array.from({ length: n }, (_, i) => (r() < 0.03 ? 'dup' : `k${Math.floor(r() * 1000)}_${i}`));
    const big = k % 50 === 0 ? 'y'.repeat(70_000 + k) : '';
    const members = names.map((name, i) => `"${name}"${ws(r, 0.2)}:${ws(r, 0.2)}${i % 3 === 0 ? `"a\\/b\\u2019${big}"` : i % 3 === 1 ? String(i) : '{"a":[1,{}]}'}`);
    const line = `{${members.join(',')}}`;
    const block = Buffer.from(`{"a":"\\u0041"}\n${line}\n`);
    beginBlock(block);
    const start = block.indexOf(0x0a) + 1;
    const got = canonicalJsonBytes(block, start, block.length - 1);
    const want = strictOf(line);
    if (got === undefined) continue;
    fast++;
    assert.ok(want.ok, line.slice(0, 200));
    assert.ok(Buffer.from(got).equals(want.bytes as Buffer), line.slice(0, 200));
  }
  assert.ok(fast > 300, `byte path accepted ${fast}`);
});

test('every single-character substitution, deletion and truncation of canonical seed records', () => {
  const seeds = [
    '{"a":[1,{"b":[]}],"b":{"c":[true,false,null]}}',
    '{"a":[[1],[{}]],"b":"x\\/y"}',
    '{"k":{"a":1,"b":[2,3]},"l":[{"m":"\\u2019"}]}',
    '{"b":[-1,0,12],"a":{"x":{"y":{}}}}',
    '{"s":"a\\"b\\\\c\\u001fd","t":"\\u00e9\\u0022"}',
    '{"z":[],"y":{},"x":""}',
  ];
  const subs = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\t', '\r', '\u0000', 'u', '0', '1', '-', '.', 'e', 'a', 'n', 't', 'f', '/', '\u00e9'];
  const pad = '{"q":"\\"\\\\"}';
  let fast = 0;
  let checked = 0;
  const run = (line: string): void => {
    const block = Buffer.from(`${pad}\n${line}\n${pad}`, 'utf8');
    beginBlock(block);
    canonicalJsonBytes(block, 0, pad.length);
    const start = Buffer.byteLength(pad) + 1;
    const got = canonicalJsonBytes(block, start, start + Buffer.byteLength(line));
    checked++;
    if (got === undefined) return;
    fast++;
    const want = strictOf(line);
    assert.ok(want.ok, `byte path accepted ${JSON.stringify(line)}`);
    assert.ok(Buffer.from(got).equals(want.bytes as Buffer), `canonical bytes differ for ${JSON.stringify(line)}`);
  };
  for (const seed of seeds) {
    for (let p = 0; p <= seed.length; p++) {
      run(seed.slice(0, p));
      if (p < seed.length) run(seed.slice(0, p) + seed.slice(p + 1));
      for (const c of subs) {
        if (p < seed.length) run(seed.slice(0, p) + c + seed.slice(p + 1));
        run(seed.slice(0, p) + c + seed.slice(p));
      }
    }
  }
  assert.ok(checked > 10_000 && fast > 1000, `${checked} checked, ${fast} by the byte path`);
});

test('nesting around the strict depth limit', () => {
  for (const depth of [62, 63, 64, 65, 511, 512, 513]) {
    for (const [open, close] of [['[', ']'], ['{"k":', '}']] as const) {
      const line = `{"a":${open.repeat(depth)}1${close.repeat(depth)}}`;
      const block = Buffer.from(line);
      beginBlock(block);
      const got = canonicalJsonBytes(block, 0, block.length);
      if (got === undefined) continue;
      const want = strictOf(line);
      assert.ok(want.ok, `byte path accepted depth ${depth}`);
      assert.ok(Buffer.from(got).equals(want.bytes as Buffer), `depth ${depth}`);
    }
  }
});

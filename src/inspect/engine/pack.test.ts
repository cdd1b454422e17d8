import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { decodePacked, encodePacked, isPacked, isPackedBytes, packedBuffers, packedHeader, packedLead, packedPadding, packFeatures, unpackFeatures } from './pack.js';

/** Structural equality that ignores only whether a typed array is a view (same type, same elements). */
function same(a: unknown, b: unknown): void {
  assert.deepEqual(a, b);
  if (a !== null && typeof a === 'object' && !ArrayBuffer.isView(a)) assert.deepEqual(Object.keys(a), Object.keys(b as object), 'key order');
}

test('typed arrays alone and in plain objects pack into one buffer per column and come back equal, keys in order', () => {
  const values: unknown[] = [
    new Uint32Array([1, 2, 3]),
    undefined,
    new Uint32Array([]),
    new Uint32Array([4294967295, 0]),
  ];
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const back = unpackFeatures(p);
  values.forEach((v, i) => same(back[i], v));
  assert.equal(back[1], undefined);

  const objs: unknown[] = [
    { w: 'words', t: new Uint32Array([7, 8]), field: '$.q' },
    { t: new Uint32Array([9]), field: '$.q' },
    undefined,
    { field: '$.r', n: ['x', 'y'], t: new Uint32Array([10, 11, 12]), s: new Uint16Array([5]) },
    { t: undefined, field: '$.z' },
    {},
  ];
  const q = packFeatures(objs);
  assert.ok(isPacked(q));
  assert.equal(Object.keys(q.columns).sort().join(), 's,t');
  const got = unpackFeatures(q);
  objs.forEach((v, i) => same(got[i], v));
  assert.ok(Object.hasOwn(got[4] as object, 't'), 'an own undefined property stays own');
});

test('shapes that do not pack are passed on as they are', () => {
  const cases: unknown[][] = [
    [new Uint32Array([1]), new Uint16Array([1])],
    [{ t: new Uint32Array([1]) }, { t: new Float64Array([1]) }],
    [new Uint32Array([1]), [1, 2]],
    [new Uint32Array([1]), null],
    [new Uint32Array([1]), new Map()],
    [new Uint32Array([1]), new DataView(new ArrayBuffer(4))],
    [JSON.parse('{"__proto__": {"polluted": 1}, "t": 1}') as unknown, new Uint32Array([1])],
    [],
  ];
  for (const c of cases) assert.equal(packFeatures(c), c);
  assert.equal(({} as { polluted?: number }).polluted, undefined);
});

test('objects without typed arrays pack too: repeated values are stored once per shard and come back equal', () => {
  const keys = ['id', 'text'];
  const values: unknown[] = Array.from({ length: 500 }, (_, i) => (i % 9 === 4 ? undefined : { kind: 'o', keys, field: `$.f${i % 3}`, n: i, empty: i % 2 === 0 }));
  values.push({ kind: 'a' }, { z: -0, nan: Number.NaN, zero: 0, nil: null, big: 10n, u: undefined });
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  assert.equal(p.values['field']?.dict.length, 3, 'three distinct field paths');
  assert.equal(p.values['keys']?.dict.length, 1, 'one shared key list');
  assert.equal(p.values['empty']?.dict.length, 2);
  const back = unpackFeatures(p) as Array<Record<string, unknown> | undefined>;
  values.forEach((v, i) => same(back[i], v));
  assert.equal(back[0]?.['keys'], back[1]?.['keys'], 'a value shared by records stays one value, as a structured clone keeps it');
  const last = back.at(-1) as Record<string, unknown>;
  assert.ok(Object.is(last['z'], -0), '-0 stays -0 (not merged with 0)');
  assert.ok(Object.is(last['zero'], 0));
  assert.ok(Number.isNaN(last['nan']));
  assert.ok(Object.hasOwn(last, 'u'));
  // Mostly typed arrays now: a structured clone of the packed form is smaller than of the objects.
  const plain = values.slice(0, 500);
  assert.ok(serialize(packFeatures(plain)).length < serialize(plain).length * 0.75);
});

test('equal but distinct objects are not merged (a detector may rely on identity)', () => {
  const values: unknown[] = [{ a: [1] }, { a: [1] }];
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const back = unpackFeatures(p) as Array<{ a: number[] }>;
  same(back, values);
  assert.notEqual(back[0]?.a, back[1]?.a);
});

test('views into a shared slab pack by their own elements only', () => {
  const slab = new Uint32Array([100, 1, 2, 3, 200]);
  const values = [slab.subarray(1, 3), slab.subarray(3, 4)];
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  assert.equal(p.whole?.data.length, 3);
  same(unpackFeatures(p), [new Uint32Array([1, 2]), new Uint32Array([3])]);
});

test('packed features cross a thread boundary by transfer, without a copy, and unpack equal', () => {
  const values = Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? undefined : { t: new Uint32Array(i % 13).fill(i), field: `$.f${i % 3}` }));
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const buffers = packedBuffers(p);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(p, buffers);
  assert.equal(p.whole, undefined);
  assert.equal(p.columns['t']?.data.length, 0, 'the sender gave its buffer away');
  const got = receiveMessageOnPort(port2)?.message as typeof p;
  port1.close();
  const back = unpackFeatures(got);
  values.forEach((v, i) => same(back[i], v));
});

/** The bytes of `p` in one buffer of its own (as the spill reads a block). */
function blockBytes(p: Parameters<typeof encodePacked>[0]): Buffer {
  const chunks = encodePacked(p);
  const out = Buffer.allocUnsafeSlow(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

test('packed features written as bytes come back equal, with views into the block and no copy', () => {
  const values: unknown[] = Array.from({ length: 300 }, (_, i) =>
    i % 11 === 0 ? undefined : { t: new Uint32Array(i % 5).fill(i), s: new Uint8Array([i & 255]), field: `$.f${i % 3}`, w: i % 2 === 0 ? undefined : 'x' },
  );
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const bytes = blockBytes(p);
  assert.ok(isPackedBytes(bytes));
  assert.ok(!isPackedBytes(serialize(values)), 'a structured clone is told apart by its first byte');
  const back = unpackFeatures(decodePacked(bytes)) as Array<{ t: Uint32Array } | undefined>;
  values.forEach((v, i) => same(back[i], v));
  assert.equal(back[1]?.t.buffer, bytes.buffer, 'typed arrays are views into the block');
  // Every array starts aligned to its element size (else a view could not be made at all).
  for (let cut = 1; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 23))) {
    const short = Buffer.allocUnsafeSlow(cut);
    bytes.copy(short, 0, 0, cut);
    assert.throws(() => decodePacked(short), RangeError, `cut at ${cut} of ${bytes.length}`);
  }
});

/** `bytes` with its header changed by `edit` (the arrays after it kept as they are). */
function withHeader(bytes: Buffer, edit: (h: Record<string, unknown> & { lengths: number[] }) => void): Buffer {
  const { end, body } = packedHeader(bytes);
  const h = deserialize(bytes.subarray(5, end)) as Record<string, unknown> & { lengths: number[] };
  edit(h);
  const lead = packedLead(serialize(h));
  const out = Buffer.allocUnsafeSlow(lead.length + bytes.length - body);
  out.set(lead, 0);
  out.set(bytes.subarray(body), lead.length);
  return out;
}

test('a damaged packed block throws, never gives features of the wrong size or number (and never runs long)', () => {
  const values = [0, 1, 2, 3].map((i) => ({ t: new Uint32Array([i, i + 1, i + 2]), f: `$.f${i % 2}` }));
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const good = blockBytes(p);
  same(unpackFeatures(decodePacked(good)), values);
  same(unpackFeatures(decodePacked(withHeader(good, () => undefined))), values);
  // Header: kind, shape, then t's data, at, len, then f's ids.
  const headers: [string, (h: Record<string, unknown> & { lengths: number[] }) => void][] = [
    ['a NaN array length', (h) => void (h.lengths[2] = Number.NaN)],
    ['a fractional array length', (h) => void (h.lengths[2] = 1.5)],
    ['a negative array length', (h) => void (h.lengths[2] = -4)],
    ['fewer records than the arrays hold', (h) => void (h['count'] = 2)],
    ['more records than the arrays hold', (h) => void (h['count'] = 6)],
    ['a huge record count', (h) => void (h['count'] = 2 ** 32 - 1)],
    ['a column type that is no typed array', (h) => void (h['columns'] = [['t', 'constructor']])],
    ['a column type of another element size', (h) => void (h['columns'] = [['t', 'Float64Array']])],
    ['no header object', (h) => void Object.keys(h).forEach((k) => delete h[k])],
    ['one array fewer', (h) => void h.lengths.pop()],
    ['one array more', (h) => void h.lengths.push(0)],
    ['a shorter dictionary', (h) => void (h['values'] = [['f', ['$.f0']]])],
  ];
  const started = performance.now();
  for (const [what, edit] of headers) assert.throws(() => decodePacked(withHeader(good, edit)), Error, what);
  assert.ok(performance.now() - started < 2000, 'damaged headers are refused at once');
  // Body: the arrays after the header (kind at its start, then shape, t's data, at, len, ids).
  const offsets = (() => {
    const lengths = [4, 4 * 4, 12 * 4, 4 * 4, 4 * 4, 4 * 4];
    const out: number[] = [];
    let at = packedHeader(good).body;
    for (const l of lengths) {
      out.push(at);
      at += l + packedPadding(l);
    }
    return out;
  })();
  const [kindAt, shapeAt, , atAt, lenAt, idsAt] = offsets as [number, number, number, number, number, number];
  const bodies: [string, (b: Buffer) => void][] = [
    ['an unknown kind', (b) => void (b[kindAt + 1] = 7)],
    ['a typed-array kind with no such column', (b) => void (b[kindAt + 1] = 1)],
    ['an unknown shape', (b) => void b.writeInt32LE(5, shapeAt)],
    ['a column entry past its data', (b) => void b.writeInt32LE(1000, lenAt)],
    ['a column entry before its data', (b) => void b.writeInt32LE(-7, atAt + 4)],
    ['a value id past the dictionary', (b) => void b.writeInt32LE(9, idsAt + 8)],
    ['a value id below -1', (b) => void b.writeInt32LE(-2, idsAt)],
  ];
  for (const [what, edit] of bodies) {
    const b = Buffer.allocUnsafeSlow(good.length);
    good.copy(b);
    edit(b);
    assert.throws(() => decodePacked(b), RangeError, what);
  }
});

test('the byte form keeps integer-like keys in their order and 64-bit columns', () => {
  const values = [
    { 1: 'one', b: new BigInt64Array([-5n, 7n]), 0: 'zero', a: new BigUint64Array([2n ** 64n - 1n]) },
    { 1: 'uno', b: new BigInt64Array([]), 0: 'cero', a: new BigUint64Array([3n]) },
  ];
  const p = packFeatures(values);
  assert.ok(isPacked(p));
  const back = unpackFeatures(decodePacked(blockBytes(p)));
  values.forEach((v, i) => same(back[i], v));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { isPacked, packedBuffers, packFeatures, unpackFeatures } from './pack.js';

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
    [{ a: 1 }, { b: 'x' }],
    [],
  ];
  for (const c of cases) assert.equal(packFeatures(c), c);
  assert.equal(({} as { polluted?: number }).polluted, undefined);
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

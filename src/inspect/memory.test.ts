import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage } from './memory.js';

test('collectGarbage frees a dropped typed array within one synchronous run, without an event-loop turn', () => {
  const mb = (): number => process.memoryUsage().arrayBuffers / 1048576;
  let big: Int32Array | undefined = new Int32Array(48 * 262144).fill(7); // 48 MiB
  const held = mb();
  assert.ok(held >= 48, `allocated: ${held.toFixed(1)} MiB of array buffers`);
  assert.equal(big[12345], 7);
  big = undefined;
  collectGarbage();
  // The backing store is released by V8's sweeper thread just after the collection: wait for it
  // synchronously (still no event-loop turn), at most 3 s.
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let t = 0; t < 150 && held - mb() < 40; t++) Atomics.wait(nap, 0, 0, 20);
  const after = mb();
  assert.ok(held - after >= 40, `freed: ${held.toFixed(1)} -> ${after.toFixed(1)} MiB`);
  // Callable again (the collector is looked up once).
  collectGarbage();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectError } from '../../engine/errors.js';
import { splitmix32 } from '../../text/index.js';
import { BandStore, RankedBits, RowStore } from './store.js';

/** Runs `fn` with TMPDIR set to a fresh directory; returns what is left in it afterwards. */
function inTmp(fn: (dir: string) => void): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dup-store-test-'));
  const was = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    fn(dir);
    return readdirSync(dir);
  } finally {
    if (was === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = was;
    rmSync(dir, { recursive: true, force: true });
  }
}

function rowsOf(count: number, width: number, seed: number): Uint16Array[] {
  const rnd = splitmix32(seed);
  return Array.from({ length: count }, () => Uint16Array.from({ length: width }, () => rnd() & 0xffff));
}

test('row store: rows come back the same in memory and from the scratch file, under any access order', () => {
  const width = 136;
  const rows = rowsOf(500, width, 1);
  const left = inTmp(() => {
    for (const budget of [1 << 30, width * 2 * 7, 1]) {
      const store = new RowStore(width, rows.length, budget);
      assert.equal(store.spilled, budget < rows.length * width * 2);
      // Features arrive inside a larger array (after the 8 hash words).
      rows.forEach((r, k) => {
        const feat = new Uint16Array(8 + width);
        feat.set(r, 8);
        store.put(k, feat, 8);
      });
      const rnd = splitmix32(2);
      for (let t = 0; t < 3000; t++) {
        const a = rnd() % rows.length;
        // Pairs that map to the same cache line too (a, a + lines), and neighbours.
        const b = t % 3 === 0 ? (a + 7) % rows.length : t % 3 === 1 ? a ^ 1 : rnd() % rows.length;
        const xo = store.load(a);
        const yo = store.load(b, xo);
        assert.deepEqual(store.data.subarray(xo, xo + width), rows[a], `row ${a} (budget ${budget})`);
        assert.deepEqual(store.data.subarray(yo, yo + width), rows[b], `row ${b} read beside ${a} (budget ${budget})`);
      }
      store.close();
    }
  });
  assert.deepEqual(left, [], 'scratch files are removed on close');
});

test('row store: rows put out of order are refused', () => {
  inTmp(() => {
    const store = new RowStore(4, 3, 1);
    store.put(0, new Uint16Array(4), 0);
    assert.throws(() => store.put(2, new Uint16Array(4), 0), RangeError);
    store.close();
  });
});

test('row store: a row not yet put is refused, never read as stale or zero bytes', () => {
  inTmp(() => {
    const store = new RowStore(64, 100, 1);
    const row = new Uint16Array(64).fill(3);
    for (let k = 0; k < 20; k++) store.put(k, row, 0);
    assert.deepEqual([...store.data.subarray(store.load(19), store.load(19) + 64)], [...row]);
    for (const k of [20, 99, -1, 1.5]) assert.throws(() => store.load(k), RangeError, `row ${k}`);
    store.close();
  });
});

test('row store: a scratch file cut short under the run is INSPECT_SPILL naming it, not stale rows', () => {
  inTmp((dir) => {
    const store = new RowStore(64, 40000, 1024);
    const row = new Uint16Array(64).fill(7);
    for (let k = 0; k < 40000; k++) store.put(k, row, 0);
    assert.equal(store.load(0), 0);
    const [sub] = readdirSync(dir);
    truncateSync(join(dir, sub as string, 'scratch.bin'), 100);
    assert.throws(
      () => store.load(1000),
      (e: unknown) => e instanceof InspectError && e.code === 'INSPECT_SPILL' && /scratch\.bin/.test(e.message) && /cleaned/.test(e.message),
    );
    store.close();
  });
});

test('row store: a TMPDIR where no scratch directory can be made is INSPECT_SPILL saying to set TMPDIR', () => {
  inTmp((dir) => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    process.env.TMPDIR = join(file, 'tmp');
    assert.throws(
      () => new RowStore(64, 1000, 1),
      (e: unknown) => e instanceof InspectError && e.code === 'INSPECT_SPILL' && e.kind === 'input' && /TMPDIR/.test(e.message),
    );
  });
});

test('band store: bands kept in memory, then moved to a scratch file mid-way, read back intact; empty bands stay empty', () => {
  const bands = Array.from({ length: 9 }, (_, b) => {
    const n = b === 4 ? 0 : 50 + b * 30;
    return { ord: Int32Array.from({ length: n }, (_, k) => k * 3 + b), bucket: Int32Array.from({ length: n }, (_, k) => 1000 * b + (k >> 2)) };
  });
  const left = inTmp(() => {
    for (const budget of [1 << 30, 2000, 0]) {
      const store = new BandStore(bands.length + 1, budget);
      bands.forEach((ev, b) => store.set(b, ev));
      assert.equal(store.spilled, budget < 5000);
      assert.equal(store.events, bands.reduce((n, ev) => n + ev.ord.length, 0));
      bands.forEach((ev, b) => {
        const got = store.take(b);
        assert.deepEqual(got.ord, ev.ord, `band ${b} (budget ${budget})`);
        assert.deepEqual(got.bucket, ev.bucket, `band ${b} (budget ${budget})`);
        got.ord.fill(-1);
        assert.deepEqual(store.take(b).ord, ev.ord, 'changing a band taken leaves the stored one intact');
      });
      // A band never set (no repeated keys) reads as empty.
      assert.equal(store.take(bands.length).ord.length, 0);
      // One pair of buffers for every band, in and out of order: each read is that band's alone.
      const ordBuf = new Int32Array(300).fill(-7);
      const bucketBuf = new Int32Array(300).fill(-7);
      for (const b of [8, 0, 4, 3, 8, 1]) {
        const got = store.takeInto(b, ordBuf, bucketBuf);
        assert.equal(store.size(b), (bands[b] as { ord: Int32Array }).ord.length);
        assert.deepEqual(got.ord, (bands[b] as { ord: Int32Array }).ord, `band ${b} into buffers (budget ${budget})`);
        assert.deepEqual(got.bucket, (bands[b] as { bucket: Int32Array }).bucket);
        assert.equal(got.ord.buffer, ordBuf.buffer, 'read into the buffer given, not a new one');
      }
      // Buffers smaller than the band are refused rather than read short.
      assert.throws(() => store.takeInto(8, new Int32Array(10), bucketBuf), /band 8 has 290 events/);
      store.close();
    }
  });
  assert.deepEqual(left, []);
});

test('ranked bits: rank and select agree with counting, at word edges and on empty and full words', () => {
  const rnd = splitmix32(3);
  const bits = new Uint32Array(40);
  for (let w = 0; w < bits.length; w++) bits[w] = w % 7 === 0 ? 0 : w % 5 === 0 ? 0xffffffff : rnd() >>> 0;
  bits[1] = 0x80000001;
  const r = new RankedBits(bits);
  const set: number[] = [];
  for (let i = 0; i < bits.length * 32; i++) {
    assert.equal(r.rank(i), set.length, `rank(${i})`);
    const on = (((bits[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
    assert.equal(r.has(i), on);
    if (on) set.push(i);
  }
  assert.equal(r.count, set.length);
  set.forEach((i, k) => assert.equal(r.select(k), i, `select(${k})`));
  assert.throws(() => r.select(set.length), RangeError);
  assert.throws(() => r.select(-1), RangeError);
  assert.equal(new RankedBits(new Uint32Array(0)).count, 0);
});

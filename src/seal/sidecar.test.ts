import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { merkleRoot, sha256Hex } from '../core/index.js';
import { parseSidecar, SidecarWriter } from './sidecar.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

async function write(dir: string): Promise<{ buf: Buffer; sha256: string; size: number; root: string }> {
  const a = [digest('r0'), digest('r1'), digest('r2')];
  const b = [digest('r3')];
  const root = merkleRoot([...a, ...b]).toString('hex');
  const w = await SidecarWriter.create(join(dir, 'records.sidecar'));
  await w.addFile('a.jsonl', 'line', Buffer.concat(a), Uint32Array.from([1, 2, 5]));
  await w.addFile('sub/b.csv', 'row', Buffer.concat(b), Uint32Array.from([1]));
  const r = await w.finish('acme-1', root);
  const buf = await readFile(join(dir, 'records.sidecar'));
  return { buf, sha256: r.sha256, size: r.size, root };
}

test('sidecar round-trips files, digests, positions, root and delivery id; its hash covers every byte', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pv-sc-'));
  try {
    const { buf, sha256, size, root } = await write(dir);
    assert.equal(size, buf.length);
    assert.equal(sha256, sha256Hex(buf));
    const sc = parseSidecar(buf);
    assert.equal(sc.deliveryId, 'acme-1');
    assert.equal(sc.recordRoot, root);
    assert.equal(sc.records, 4);
    assert.deepEqual(sc.files.map((f) => [f.path, f.positionKind, f.digests.length / 32, [...f.positions]]), [
      ['a.jsonl', 'line', 3, [1, 2, 5]],
      ['sub/b.csv', 'row', 1, [1]],
    ]);
    assert.deepEqual(sc.files[0]?.digests.subarray(32, 64), digest('r1'));
    // Header is 8 bytes, each record costs 36 bytes.
    assert.equal(buf.length, 8 + (1 + 2 + 7 + 1 + 8) + 3 * 36 + (1 + 2 + 9 + 1 + 8) + 36 + (1 + 4 + 8 + 32 + 2 + 6));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every truncation and corrupt structure of a sidecar is SEAL_SIDECAR_MALFORMED, never a crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pv-sc-'));
  try {
    const { buf } = await write(dir);
    for (let n = 0; n < buf.length; n++) assert.throws(() => parseSidecar(buf.subarray(0, n)), { code: 'SEAL_SIDECAR_MALFORMED' }, `prefix ${n}`);
    assert.throws(() => parseSidecar(Buffer.concat([buf, Buffer.from([0])])), { code: 'SEAL_SIDECAR_MALFORMED' });
    const huge = Buffer.from(buf);
    huge.writeBigUInt64BE(2n ** 63n, 8 + 1 + 2 + 7 + 1); // forged record count of the first file
    assert.throws(() => parseSidecar(huge), { code: 'SEAL_SIDECAR_MALFORMED' });
    const tag = Buffer.from(buf);
    tag[8] = 0x58;
    assert.throws(() => parseSidecar(tag), { code: 'SEAL_SIDECAR_MALFORMED' });
    const ver = Buffer.from(buf);
    ver[7] = 2;
    assert.throws(() => parseSidecar(ver), { code: 'SEAL_SIDECAR_MALFORMED' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file section streamed in batches and spooled to disk is byte-identical to one written whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pv-sc-'));
  try {
    const n = 1000;
    const all = Buffer.concat(Array.from({ length: n }, (_, i) => digest(`s${i}`)));
    const pos = Uint32Array.from({ length: n }, (_, i) => 2 * i + 1);
    const root = merkleRoot(Array.from({ length: n }, (_, i) => all.subarray(i * 32, i * 32 + 32))).toString('hex');
    const whole = await SidecarWriter.create(join(dir, 'whole'));
    await whole.addFile('x.jsonl', 'line', all, pos);
    const a = await whole.finish('d-1', root);
    // 36 bytes per record: a 2 KiB budget forces spooling after a few dozen records.
    const streamed = await SidecarWriter.create(join(dir, 'streamed'), { spoolMemory: 2048, checkRoot: false });
    streamed.beginFile('x.jsonl', 'line');
    for (let lo = 0; lo < n; lo += 77) {
      const hi = Math.min(n, lo + 77);
      await streamed.addRecords(all.subarray(lo * 32, hi * 32), pos.subarray(lo, hi));
    }
    await streamed.endFile();
    const b = await streamed.finish('d-1', root);
    assert.deepEqual(await readFile(join(dir, 'streamed')), await readFile(join(dir, 'whole')));
    assert.equal(b.sha256, a.sha256);
    assert.deepEqual((await import('node:fs')).readdirSync(dir).sort(), ['streamed', 'whole'], 'spool files are removed');
    const bad = await SidecarWriter.create(join(dir, 'bad'));
    await bad.addFile('x.jsonl', 'line', all, pos);
    await assert.rejects(bad.finish('d-1', '00'.repeat(32)), /differs/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

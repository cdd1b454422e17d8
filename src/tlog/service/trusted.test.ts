/** Verifier memory: first use, growth with proofs, split-view and rollback alarms. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCheckpoint } from '../checkpoint.js';
import { generateNoteKey, parseSignerKey } from '../keys.js';
import { parseNote } from '../note.js';
import { createMemoryLogStorage } from './memory-storage.js';
import { storedConsistencyProof } from './nodes.js';
import { createLogSequencer } from './sequencer.js';
import { testEntry } from './testing.js';
import type { LogStorage } from './storage.js';
import { TrustedCheckpoints } from './trusted.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-trust-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): TrustedCheckpoints => new TrustedCheckpoints(join(root, `s${n++}`));
const signer = parseSignerKey(generateNoteKey('trust.example/log').signerKey);

/** Checkpoints of one log at the given sizes (offset: another history under the same key). */
async function heads(sizes: number[], offset = 0): Promise<{ storage: LogStorage; at: Map<number, { cp: ReturnType<typeof parseCheckpoint>; note: string }> }> {
  const storage = createMemoryLogStorage();
  const seq = await createLogSequencer({ storage, signer, maxDelayMs: 0 });
  const at = new Map<number, { cp: ReturnType<typeof parseCheckpoint>; note: string }>();
  let size = 0;
  for (const s of sizes) {
    while (size < s) await seq.add(testEntry(offset + size++));
    const note = seq.checkpoint().note;
    at.set(s, { cp: parseCheckpoint(parseNote(note).text), note });
  }
  return { storage, at };
}

test('first use remembers; the same head again is fine; growth with a valid proof is remembered', async () => {
  const log = await heads([4, 9]);
  const t = fresh();
  const h4 = log.at.get(4)!;
  const h9 = log.at.get(9)!;
  assert.equal((await t.observe(h4.cp, h4.note, { source: 'receipt' })).consistency, 'first-use');
  assert.equal((await t.observe(h4.cp, h4.note, { source: 'latest' })).consistency, 'same');
  const prove = (a: number, b: number): Promise<Buffer[]> => storedConsistencyProof(log.storage, a, b);
  const r = await t.observe(h9.cp, h9.note, { source: 'latest', proveConsistency: prove });
  assert.equal(r.consistency, 'verified');
  assert.equal(t.get(h9.cp.origin)?.size, 9);
  // An older receipt after a newer one is normal, and checked when a proof is at hand.
  assert.equal((await t.observe(h4.cp, h4.note, { source: 'receipt', proveConsistency: prove })).consistency, 'verified');
  assert.equal(t.get(h9.cp.origin)?.size, 9, 'an older head never replaces a newer one');
});

test('same size with another root is a split-view alarm', async () => {
  const a = await heads([5]);
  const b = await heads([5], 500);
  const t = fresh();
  await t.observe(a.at.get(5)!.cp, a.at.get(5)!.note, { source: 'receipt' });
  await assert.rejects(t.observe(b.at.get(5)!.cp, b.at.get(5)!.note, { source: 'receipt' }), { code: 'TLOG_SPLIT_VIEW', kind: 'verification' });
});

test('a smaller tree presented as the latest head is a rollback alarm', async () => {
  const log = await heads([3, 7]);
  const t = fresh();
  await t.observe(log.at.get(7)!.cp, log.at.get(7)!.note, { source: 'latest' });
  await assert.rejects(t.observe(log.at.get(3)!.cp, log.at.get(3)!.note, { source: 'latest' }), { code: 'TLOG_ROLLBACK', kind: 'verification' });
});

test('a bigger tree from another history fails its consistency proof: split-view alarm, memory unchanged', async () => {
  const honest = await heads([4]);
  const fork = await heads([4, 10], 900);
  const t = fresh();
  await t.observe(honest.at.get(4)!.cp, honest.at.get(4)!.note, { source: 'receipt' });
  const prove = (a: number, b: number): Promise<Buffer[]> => storedConsistencyProof(fork.storage, a, b);
  await assert.rejects(t.observe(fork.at.get(10)!.cp, fork.at.get(10)!.note, { source: 'latest', proveConsistency: prove }), { code: 'TLOG_SPLIT_VIEW' });
  // A smaller head from the fork, checked against the remembered one, is caught the same way.
  const t2 = fresh();
  const honest9 = await heads([9]);
  await t2.observe(honest9.at.get(9)!.cp, honest9.at.get(9)!.note, { source: 'receipt' });
  const prove9 = (a: number, b: number): Promise<Buffer[]> => storedConsistencyProof(honest9.storage, a, b);
  await assert.rejects(t2.observe(fork.at.get(4)!.cp, fork.at.get(4)!.note, { source: 'receipt', proveConsistency: prove9 }), { code: 'TLOG_SPLIT_VIEW' });
  assert.equal(t.get('trust.example/log')?.size, 4);
});

test('offline, a bigger tree is accepted as unchecked without replacing memory, or refused when required', async () => {
  const log = await heads([2, 6]);
  const t = fresh();
  await t.observe(log.at.get(2)!.cp, log.at.get(2)!.note, { source: 'receipt' });
  const r = await t.observe(log.at.get(6)!.cp, log.at.get(6)!.note, { source: 'receipt' });
  assert.equal(r.consistency, 'unchecked');
  assert.equal(t.get('trust.example/log')?.size, 2);
  await assert.rejects(t.observe(log.at.get(6)!.cp, log.at.get(6)!.note, { source: 'receipt', requireConsistency: true }), {
    code: 'TLOG_CONSISTENCY_UNCHECKED',
    kind: 'verification',
  });
});

test('the memory file survives reopening and a damaged file is a coded error', async () => {
  const log = await heads([3]);
  const dir = join(root, 'persist');
  await new TrustedCheckpoints(dir).observe(log.at.get(3)!.cp, log.at.get(3)!.note, { source: 'receipt' });
  assert.equal(new TrustedCheckpoints(dir).get('trust.example/log')?.size, 3);
  assert.match(readFileSync(join(dir, 'trusted-checkpoints.json'), 'utf8'), /"size": 3/);
  writeFileSync(join(dir, 'trusted-checkpoints.json'), '{"version":1,"logs":{"trust.example/log":{"size":-1}}}');
  assert.throws(() => new TrustedCheckpoints(dir).get('trust.example/log'), { code: 'TLOG_STATE_CORRUPT' });
  writeFileSync(join(dir, 'trusted-checkpoints.json'), '{trunc');
  await assert.rejects(new TrustedCheckpoints(dir).observe(log.at.get(3)!.cp, log.at.get(3)!.note, { source: 'receipt' }), { code: 'TLOG_STATE_CORRUPT' });
});

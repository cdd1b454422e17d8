/**
 * Security review: attacks on the transparency-log side (receipts, checkpoints, witness
 * cosignatures, the verifier memory and the witness). A malicious log operator signs whatever it
 * likes with its own key; a man-in-the-middle edits receipts and notes. Passing tests are attacks
 * that are correctly refused with their coded error; tests named `BUG:` are regression tests for
 * bugs found by the security review and since fixed.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { leafHash } from '../../src/core/index.js';
import {
  cosignatureMessage,
  createMemoryLogStorage,
  createNoteVerifier,
  createWitness,
  consistencyProofFor,
  formatSignatureLine,
  formatTlogProof,
  generateNoteKey,
  inclusionProofFor,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  treeRootFor,
  TrustedCheckpoints,
  verifyReceiptOffline,
  verifySealReceipt,
  SIG_TYPE_COSIGNATURE_V1,
  type Checkpoint,
  type KeyedNoteSigner,
} from '../../src/tlog/index.js';
import { memoryNodes } from '../../src/tlog/testing.js';

const ORIGIN = 'log.example/sec';

interface Log {
  readonly signer: KeyedNoteSigner;
  readonly vkey: string;
}

function newLog(name = ORIGIN): Log {
  const k = generateNoteKey(name);
  return { signer: parseSignerKey(k.signerKey), vkey: k.verifierKey };
}

function newWitness(name: string, now?: () => number): { signer: KeyedNoteSigner; vkey: string } {
  const k = generateNoteKey(name, SIG_TYPE_COSIGNATURE_V1);
  return { signer: parseSignerKey(k.signerKey, now ? { now } : {}), vkey: k.verifierKey };
}

const entries = (tag: string, n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`${tag}:${i}`));

/** A tree over `ents`: its root, node source and a signed checkpoint of it. */
function tree(log: Log, ents: readonly Buffer[], origin = ORIGIN): { root: Buffer; nodes: ReturnType<typeof memoryNodes>; note: string; cp: Checkpoint } {
  const nodes = memoryNodes(ents.map((e) => leafHash(e)));
  const root = treeRootFor(ents.length, nodes);
  const cp: Checkpoint = { origin, size: ents.length, rootHash: root, extensions: [] };
  return { root, nodes, note: signCheckpoint(cp, [log.signer]), cp };
}

function receipt(log: Log, ents: readonly Buffer[], index: number): string {
  const t = tree(log, ents);
  return formatTlogProof({ index, proof: inclusionProofFor(index, ents.length, t.nodes), checkpoint: t.note });
}

const made: string[] = [];
after(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'provenant-sec-tlog-'));
  made.push(d);
  return d;
}

/** Appends a cosignature line by `w` to a signed note. */
function cosign(note: string, w: KeyedNoteSigner): string {
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  return note + formatSignatureLine({ name: w.name, keyId: w.keyId, signature: w.sign(Buffer.from(text, 'utf8')) });
}

// ------------------------------------------------------------------------------------------------
// Attacks that are correctly defended

test('defended: a forged cosignature line under a trusted witness name and key id rejects the receipt (TLOG_NOTE_BAD_SIGNATURE)', async () => {
  const log = newLog();
  const w = newWitness('witness.example/w1');
  const ents = entries('e', 3);
  const t = tree(log, ents);
  const forged = t.note + formatSignatureLine({ name: w.signer.name, keyId: w.signer.keyId, signature: Buffer.alloc(72, 7) });
  const text = formatTlogProof({ index: 1, proof: inclusionProofFor(1, 3, t.nodes), checkpoint: forged });
  await assert.rejects(verifyReceiptOffline({ receiptText: text, entryBytes: ents[1] as Buffer, logKey: log.vkey, witnesses: [w.vkey], quorum: 1, stateDir: false }), {
    code: 'TLOG_NOTE_BAD_SIGNATURE',
  });
});

test('defended: a cosignature by an impostor key using the trusted witness name does not count (TLOG_COSIGNATURE_QUORUM)', async () => {
  const log = newLog();
  const w = newWitness('witness.example/w1');
  const impostor = newWitness('witness.example/w1');
  const ents = entries('e', 3);
  const t = tree(log, ents);
  const text = formatTlogProof({ index: 0, proof: inclusionProofFor(0, 3, t.nodes), checkpoint: cosign(t.note, impostor.signer) });
  await assert.rejects(verifyReceiptOffline({ receiptText: text, entryBytes: ents[0] as Buffer, logKey: log.vkey, witnesses: [w.vkey], quorum: 1, stateDir: false }), {
    code: 'TLOG_COSIGNATURE_QUORUM',
  });
});

test('defended: two keys of one witness name cannot satisfy a quorum of 2 (TLOG_RANGE before any check)', () => {
  const log = newLog();
  const a = newWitness('witness.example/w1');
  const b = newWitness('witness.example/w1');
  const t = tree(log, entries('e', 2));
  const note = cosign(cosign(t.note, a.signer), b.signer);
  assert.throws(() => openCheckpoint(note, { log: parseVerifierKey(log.vkey), witnesses: [parseVerifierKey(a.vkey), parseVerifierKey(b.vkey)], quorum: 2 }), { code: 'TLOG_RANGE' });
});

test('defended: a receipt whose index is outside its tree, or spelled non-canonically, is refused', async () => {
  const log = newLog();
  const ents = entries('e', 2);
  const t = tree(log, ents);
  const outside = formatTlogProof({ index: 5, proof: [], checkpoint: t.note });
  await assert.rejects(verifyReceiptOffline({ receiptText: outside, entryBytes: ents[0] as Buffer, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_ENTRY_MISMATCH' });
  const good = receipt(log, ents, 1);
  for (const bad of [good.replace('index 1\n', 'index 01\n'), good.replace('index 1\n', 'index 9007199254740993\n'), good.replace('index 1\n', 'index -1\n')]) {
    await assert.rejects(verifyReceiptOffline({ receiptText: bad, entryBytes: ents[1] as Buffer, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MALFORMED' });
  }
  await assert.rejects(verifyReceiptOffline({ receiptText: `${good}${'x'.repeat(1 << 20)}`, entryBytes: ents[1] as Buffer, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MALFORMED' });
});

test('defended: the log signs a checkpoint for another origin with its key (TLOG_CHECKPOINT_ORIGIN)', () => {
  const log = newLog();
  const t = tree(log, entries('e', 2), 'other.example/log');
  assert.throws(() => openCheckpoint(t.note, { log: parseVerifierKey(log.vkey) }), { code: 'TLOG_CHECKPOINT_ORIGIN' });
});

test('defended: a signed checkpoint with a non-canonical root hash spelling is malformed (TLOG_CHECKPOINT_MALFORMED)', async () => {
  const log = newLog();
  const ents = entries('e', 1);
  const t = tree(log, ents);
  const b64 = t.root.toString('base64'); // 44 chars ending in '=': the last data char has 2 unused bits
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const tweaked = `${b64.slice(0, 42)}${alphabet[alphabet.indexOf(b64[42] as string) ^ 1] as string}=`;
  assert.deepEqual(Buffer.from(tweaked, 'base64'), t.root, 'same bytes, other spelling');
  const note = signNote(`${ORIGIN}\n1\n${tweaked}\n`, [log.signer]);
  const text = formatTlogProof({ index: 0, proof: [], checkpoint: note });
  await assert.rejects(verifyReceiptOffline({ receiptText: text, entryBytes: ents[0] as Buffer, logKey: log.vkey, stateDir: false }), { code: 'TLOG_CHECKPOINT_MALFORMED' });
});

test('defended: two receipts from one log showing forked trees of the same size are a split view (TLOG_SPLIT_VIEW)', async () => {
  const log = newLog();
  const dir = await stateDir();
  const honest = entries('e', 4);
  const fork = [...honest.slice(0, 3), Buffer.from('evil')];
  await verifyReceiptOffline({ receiptText: receipt(log, honest, 0), entryBytes: honest[0] as Buffer, logKey: log.vkey, stateDir: dir });
  await assert.rejects(verifyReceiptOffline({ receiptText: receipt(log, fork, 0), entryBytes: fork[0] as Buffer, logKey: log.vkey, stateDir: dir }), { code: 'TLOG_SPLIT_VIEW' });
});

test('defended: an older receipt from a forked history fails the consistency check when a proof source exists (TLOG_SPLIT_VIEW)', async () => {
  const log = newLog();
  const trusted = new TrustedCheckpoints(await stateDir());
  const honest = entries('e', 8);
  const h = tree(log, honest);
  await trusted.observe(h.cp, h.note, { source: 'latest' });
  const fork = [...honest.slice(0, 2), Buffer.from('evil'), honest[3] as Buffer, honest[4] as Buffer];
  const f = tree(log, fork);
  await assert.rejects(trusted.observe(f.cp, f.note, { source: 'receipt', proveConsistency: async (a, b) => consistencyProofFor(a, b, h.nodes) }), { code: 'TLOG_SPLIT_VIEW' });
  assert.equal(trusted.get(ORIGIN)?.size, 8, 'memory unchanged');
});

test('defended: the witness refuses rollback, forks, bad proofs, forged log signatures and unknown logs', async () => {
  const log = newLog();
  const w = newWitness('witness.example/w1');
  const storage = createMemoryLogStorage();
  const witness = createWitness({ storage, signer: w.signer, logs: [parseVerifierKey(log.vkey)] });
  const body = (old: number, proof: readonly Buffer[], note: string): Buffer => Buffer.from([`old ${old}`, ...proof.map((p) => p.toString('base64')), '', ''].join('\n') + note);
  const honest = entries('e', 6);
  const t4 = tree(log, honest.slice(0, 4));
  const ok = await witness.addCheckpoint(body(0, [], t4.note));
  assert.equal(ok.status, 200, ok.body);
  // Rollback to size 2, presented as a fresh start.
  const t2 = tree(log, honest.slice(0, 2));
  assert.equal((await witness.addCheckpoint(body(0, [], t2.note))).status, 409);
  // A fork of the same size.
  const f4 = tree(log, [...honest.slice(0, 3), Buffer.from('evil')]);
  const split = await witness.addCheckpoint(body(4, [], f4.note));
  assert.deepEqual([split.status, split.code], [409, 'TLOG_SPLIT_VIEW']);
  // Growth to a forked size-6 tree with a proof from that fork.
  const fork6 = [...honest.slice(0, 3), Buffer.from('evil'), ...honest.slice(4)];
  const f6 = tree(log, fork6);
  const bad = await witness.addCheckpoint(body(4, consistencyProofFor(4, 6, f6.nodes), f6.note));
  assert.deepEqual([bad.status, bad.code], [422, 'TLOG_WITNESS_INCONSISTENT']);
  // A checkpoint signed by another key under the log's name.
  const impostor = newLog();
  const forged = await witness.addCheckpoint(body(4, [], tree(impostor, honest.slice(0, 4)).note));
  assert.deepEqual([forged.status, forged.code], [403, 'TLOG_WITNESS_FORBIDDEN']);
  // A log it does not witness.
  const other = newLog('other.example/log');
  const unknown = await witness.addCheckpoint(body(0, [], tree(other, honest, 'other.example/log').note));
  assert.deepEqual([unknown.status, unknown.code], [404, 'TLOG_WITNESS_UNKNOWN_LOG']);
  // State untouched by all of it.
  assert.equal((await storage.getWitnessState(ORIGIN))?.size, 4);
});

// ------------------------------------------------------------------------------------------------
// Fixed bugs from the security review: regression tests.

test(
  "BUG: a log whose origin is '__proto__' is never remembered, so split views of it are never detected",
  async () => {
    const log = newLog('__proto__');
    const dir = await stateDir();
    const honest = entries('e', 4);
    const fork = [...honest.slice(0, 3), Buffer.from('evil')];
    const rec = (ents: Buffer[]): string => {
      const t = tree(log, ents, '__proto__');
      return formatTlogProof({ index: 0, proof: inclusionProofFor(0, ents.length, t.nodes), checkpoint: t.note });
    };
    await verifyReceiptOffline({ receiptText: rec(honest), entryBytes: honest[0] as Buffer, logKey: log.vkey, stateDir: dir });
    await assert.rejects(verifyReceiptOffline({ receiptText: rec(fork), entryBytes: fork[0] as Buffer, logKey: log.vkey, stateDir: dir }), { code: 'TLOG_SPLIT_VIEW' });
  },
);

test(
  'BUG: concurrent observations roll the verifier memory back, after which a fork consistent with the older head is accepted',
  async () => {
    const log = newLog();
    const trusted = new TrustedCheckpoints(await stateDir());
    const honest = entries('e', 8);
    const h = tree(log, honest);
    const head = (n: number): { cp: Checkpoint; note: string } => tree(log, honest.slice(0, n));
    const prove = async (a: number, b: number): Promise<Buffer[]> => consistencyProofFor(a, b, h.nodes);
    const c2 = head(2);
    await trusted.observe(c2.cp, c2.note, { source: 'latest' });
    // Verifier A checks size 4 over a slow network; verifier B checks size 8 meanwhile.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const c4 = head(4);
    const a = trusted.observe(c4.cp, c4.note, { source: 'latest', proveConsistency: async (x, y) => (await gate, prove(x, y)) });
    await new Promise((r) => setImmediate(r));
    await trusted.observe(h.cp, h.note, { source: 'latest', proveConsistency: prove });
    release();
    await a;
    assert.equal(trusted.get(ORIGIN)?.size, 8, 'the remembered head went back from 8 to 4');
    // Consequence: a fork of the log at size 6 that agrees with the first 4 entries only.
    const fork = tree(log, [...honest.slice(0, 4), Buffer.from('evil4'), Buffer.from('evil5')]);
    await assert.rejects(trusted.observe(fork.cp, fork.note, { source: 'latest', proveConsistency: async (x, y) => consistencyProofFor(x, y, fork.nodes) }), { code: 'TLOG_ROLLBACK' });
  },
);

test(
  'BUG: an oversized receipt is read whole and then reported as missing (TLOG_RECEIPT_MISSING) instead of malformed',
  async () => {
    const seal = await stateDir();
    const fh = await open(join(seal, 'log.tlog-proof'), 'w');
    await fh.truncate(3 * 1024 ** 3); // sparse: no disk or memory used by the test itself
    await fh.close();
    const log = newLog();
    await assert.rejects(verifySealReceipt({ sealDir: seal, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MALFORMED' });
  },
);

test(
  'BUG: a cosignature whose timestamp exceeds 2^63-1 is refused (TLOG_NOTE_BAD_SIGNATURE), 2^63-1 itself still counts',
  () => {
    const log = newLog();
    const t = tree(log, entries('e', 2));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const verifier = createNoteVerifier('witness.example/w9', SIG_TYPE_COSIGNATURE_V1, raw);
    const text = t.note.slice(0, t.note.lastIndexOf('\n\n') + 1);
    const ts = 2n ** 64n - 1n;
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(ts);
    const sig = Buffer.concat([head, sign(null, cosignatureMessage(text, ts), privateKey)]);
    const note = t.note + formatSignatureLine({ name: verifier.name, keyId: verifier.keyId, signature: sig });
    // A known witness key whose signature is invalid rejects the whole note, like any bad signature.
    assert.throws(() => openCheckpoint(note, { log: parseVerifierKey(log.vkey), witnesses: [verifier], quorum: 1 }), { code: 'TLOG_NOTE_BAD_SIGNATURE' });
    // The boundary: 2^63-1 itself is allowed.
    const okTs = 2n ** 63n - 1n;
    const okHead = Buffer.alloc(8);
    okHead.writeBigUInt64BE(okTs);
    const okSig = Buffer.concat([okHead, sign(null, cosignatureMessage(text, okTs), privateKey)]);
    const okNote = t.note + formatSignatureLine({ name: verifier.name, keyId: verifier.keyId, signature: okSig });
    assert.equal(openCheckpoint(okNote, { log: parseVerifierKey(log.vkey), witnesses: [verifier], quorum: 1 }).cosignatures.length, 1);
  },
);

test("BUG (regression): the state file keeps '__proto__' as an ordinary origin and inherited names are never entries", async () => {
  const log = newLog('__proto__');
  const dir = await stateDir();
  const t = tree(log, entries('e', 3), '__proto__');
  await new TrustedCheckpoints(dir).observe(t.cp, t.note, { source: 'latest' });
  const onDisk = JSON.parse(await readFile(join(dir, 'trusted-checkpoints.json'), 'utf8')) as { logs: Record<string, { size: number }> };
  assert.ok(Object.prototype.hasOwnProperty.call(onDisk.logs, '__proto__'), 'written as an own key');
  const fresh = new TrustedCheckpoints(dir);
  assert.equal(fresh.get('__proto__')?.size, 3);
  for (const inherited of ['toString', 'constructor', 'hasOwnProperty']) assert.equal(fresh.get(inherited), undefined, inherited);
  // A state file that names a log twice is damaged, not silently resolved to the last one.
  await writeFile(join(dir, 'trusted-checkpoints.json'), `{"version":1,"logs":{"a":${JSON.stringify({ size: 1 })},"a":{}}}`);
  assert.throws(() => new TrustedCheckpoints(dir).get('a'), { code: 'TLOG_STATE_CORRUPT' });
});

test('BUG (regression): the verifier memory lock excludes other processes, and a stale lock left by a crash is broken', async () => {
  const log = newLog();
  const dir = await stateDir();
  const trusted = new TrustedCheckpoints(dir);
  const lock = `${trusted.file}.lock`;
  const ents = entries('e', 4);
  const h = tree(log, ents);
  // A live holder: the write waits until the lock is released.
  await mkdir(dir, { recursive: true });
  await writeFile(lock, 'other process\n');
  let done = false;
  const pending = trusted.observe(h.cp, h.note, { source: 'latest' }).then((r) => ((done = true), r));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(done, false, 'must wait for the lock');
  assert.equal(trusted.get(ORIGIN), undefined);
  await rm(lock);
  assert.equal((await pending).consistency, 'first-use');
  await assert.rejects(stat(lock), { code: 'ENOENT' }, 'released after use');
  // A crashed holder: its lock is old and is broken.
  const bigger = tree(log, [...ents, Buffer.from('e:4')]);
  await writeFile(lock, 'crashed process\n');
  const old = new Date(Date.now() - 60_000);
  await utimes(lock, old, old);
  const r = await trusted.observe(bigger.cp, bigger.note, { source: 'latest', proveConsistency: async (a, b) => consistencyProofFor(a, b, bigger.nodes) });
  assert.equal(r.consistency, 'verified');
  assert.equal(trusted.get(ORIGIN)?.size, 5);
});

test('BUG (regression): a receipt that is a FIFO or a directory, or a log-entry.json over 64 KiB, is refused with its code, never read whole', async () => {
  const log = newLog();
  const seal = await stateDir();
  await mkdir(join(seal, 'log.tlog-proof'));
  await assert.rejects(verifySealReceipt({ sealDir: seal, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MALFORMED' });
  await rm(join(seal, 'log.tlog-proof'), { recursive: true });
  let fifo = true;
  try {
    execFileSync('mkfifo', [join(seal, 'log.tlog-proof')]);
  } catch {
    fifo = false; // no mkfifo on this system: the directory case above covers non-regular files
  }
  if (fifo) {
    // Without the fstat check this would block forever waiting for a writer.
    await assert.rejects(verifySealReceipt({ sealDir: seal, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MALFORMED' });
    await rm(join(seal, 'log.tlog-proof'));
  }
  await writeFile(join(seal, 'log.tlog-proof'), receipt(log, entries('e', 1), 0));
  const fh = await open(join(seal, 'log-entry.json'), 'w');
  await fh.truncate(64 * 1024 + 1);
  await fh.close();
  await assert.rejects(verifySealReceipt({ sealDir: seal, logKey: log.vkey, stateDir: false }), { code: 'TLOG_SEAL_ENTRY_MISMATCH' });
  await rm(join(seal, 'log-entry.json'));
  await assert.rejects(verifySealReceipt({ sealDir: seal, logKey: log.vkey, stateDir: false }), { code: 'TLOG_RECEIPT_MISSING' });
});

test('reviewer note (fixed): a plain Ed25519 key (type 0x01) is refused as a witness key (TLOG_KEY_MALFORMED)', async () => {
  const log = newLog();
  const plainWitness = newLog('witness.example/w1'); // type 0x01, as a log key
  const ents = entries('e', 2);
  const t = tree(log, ents);
  // Its plain Ed25519 signature over the checkpoint must not count as a cosignature.
  const note = signNote(`${ORIGIN}\n2\n${t.root.toString('base64')}\n`, [log.signer, plainWitness.signer]);
  assert.throws(() => openCheckpoint(note, { log: parseVerifierKey(log.vkey), witnesses: [parseVerifierKey(plainWitness.vkey)], quorum: 1 }), { code: 'TLOG_KEY_MALFORMED' });
  const text = formatTlogProof({ index: 0, proof: inclusionProofFor(0, 2, t.nodes), checkpoint: note });
  await assert.rejects(verifyReceiptOffline({ receiptText: text, entryBytes: ents[0] as Buffer, logKey: log.vkey, witnesses: [plainWitness.vkey], quorum: 1, stateDir: false }), {
    code: 'TLOG_KEY_MALFORMED',
  });
  // Even with quorum 0, a wrongly typed witness key is a configuration error, not silently ignored.
  assert.throws(() => openCheckpoint(note, { log: parseVerifierKey(log.vkey), witnesses: [parseVerifierKey(plainWitness.vkey)] }), { code: 'TLOG_KEY_MALFORMED' });
});

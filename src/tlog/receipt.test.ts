import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash, sha256 } from '../core/index.js';
import {
  LogError,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  addSignatures,
  createNoteSigner,
  formatTlogProof,
  inclusionProofFor,
  parseTlogProof,
  parseVerifierKey,
  signCheckpoint,
  treeRootFor,
  verifyTlogProof,
  type TlogProof,
} from './index.js';
import { memoryNodes } from './testing.js';

function rejects(fn: () => unknown, code: string, line?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LogError, `expected LogError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (line !== undefined) assert.equal(e.location?.line, line, e.message);
    return true;
  });
}

const ORIGIN = 'log.example/provenant';
const logSigner = createNoteSigner(ORIGIN, SIG_TYPE_ED25519, sha256('receipt log'));
const log = parseVerifierKey(logSigner.verifierKey);
const SIZE = 73;
const leaves = Array.from({ length: SIZE }, (_, i) => leafHash(Buffer.from(`envelope ${i}`)));
const nodes = memoryNodes(leaves);
const checkpoint = signCheckpoint({ origin: ORIGIN, size: SIZE, rootHash: treeRootFor(SIZE, nodes), extensions: [] }, [logSigner]);
const INDEX = 42;
const receipt: TlogProof = { index: INDEX, proof: inclusionProofFor(INDEX, SIZE, nodes), checkpoint };
const text = formatTlogProof(receipt);
const leaf = leaves[INDEX] as Buffer;

describe('tlog-proof format', () => {
  it('writes header, index, proof hashes, a blank line and the checkpoint verbatim', () => {
    const lines = text.split('\n');
    assert.equal(lines[0], 'c2sp.org/tlog-proof@v1');
    assert.equal(lines[1], 'index 42');
    assert.equal(lines.slice(2, 2 + receipt.proof.length).join(), receipt.proof.map((h) => h.toString('base64')).join());
    assert.equal(lines[2 + receipt.proof.length], '');
    assert.ok(text.endsWith(`\n\n${checkpoint}`));
    assert.deepEqual(parseTlogProof(text), receipt);
    assert.deepEqual(parseTlogProof(Buffer.from(text)), receipt);
  });

  it('round-trips the optional extra line and an empty proof', () => {
    const withExtra = { ...receipt, extra: Buffer.from('age-v1.2.1-darwin-arm64.tar.gz') };
    const t = formatTlogProof(withExtra);
    assert.equal(t.split('\n')[1], `extra ${withExtra.extra.toString('base64')}`);
    assert.deepEqual(parseTlogProof(t), withExtra);
    const single = signCheckpoint({ origin: ORIGIN, size: 1, rootHash: leaf, extensions: [] }, [logSigner]);
    const r1 = { index: 0, proof: [], checkpoint: single };
    assert.deepEqual(parseTlogProof(formatTlogProof(r1)), r1);
    verifyTlogProof(formatTlogProof(r1), leaf, { log });
  });

  const body = text.split('\n\n')[0] as string;
  const hashLine = receipt.proof[0]?.toString('base64') as string;
  const malformed: [string, string, number | undefined][] = [
    ['wrong header', text.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'), 1],
    ['missing header', text.replace('c2sp.org/tlog-proof@v1\n', ''), 1],
    ['missing index line', text.replace('index 42\n', ''), 2],
    ['index with leading zero', text.replace('index 42', 'index 042'), 2],
    ['negative index', text.replace('index 42', 'index -1'), 2],
    ['index above 2^53', text.replace('index 42', 'index 18446744073709551615'), 2],
    ['two spaces after index', text.replace('index 42', 'index  42'), 2],
    ['empty extra', text.replace('index 42', 'extra \nindex 42'), 2],
    ['extra after index', text.replace('index 42', 'index 42\nextra AAAA'), 3],
    ['proof hash not base64', text.replace(hashLine, '!!!'), 3],
    ['proof hash of 31 bytes', text.replace(hashLine, Buffer.alloc(31).toString('base64')), 3],
    ['proof hash in hex', text.replace(hashLine, Buffer.alloc(32).toString('hex')), 3],
    ['no blank line', body, undefined],
    ['no checkpoint', `${body}\n\n`, undefined],
    ['65 proof hashes', text.replace(hashLine, Array(65).fill(hashLine).join('\n')), undefined],
  ];
  for (const [what, input, line] of malformed) {
    it(`rejects: ${what}`, () => rejects(() => parseTlogProof(input, { file: 'x.tlog-proof' }), 'TLOG_RECEIPT_MALFORMED', line));
  }

  it('rejects a truncated or malformed checkpoint with the note error', () => {
    rejects(() => parseTlogProof(text.slice(0, -5)), 'TLOG_NOTE_MALFORMED');
    rejects(() => parseTlogProof(text.replace(/\u2014/g, '-')), 'TLOG_NOTE_MALFORMED');
    rejects(() => parseTlogProof(Buffer.concat([Buffer.from(text), Buffer.from([0xff])])), 'TLOG_RECEIPT_MALFORMED');
  });
});

describe('verifyTlogProof', () => {
  it('accepts the genuine receipt for its entry', () => {
    const v = verifyTlogProof(text, leaf, { log }, { file: 'seal/.tlog-proof' });
    assert.equal(v.index, INDEX);
    assert.equal(v.checkpoint.size, SIZE);
  });

  it('rejects another entry, another index, and an index beyond the tree', () => {
    rejects(() => verifyTlogProof(text, leaves[41] as Buffer, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    rejects(() => verifyTlogProof(text, sha256('not logged'), { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    rejects(() => verifyTlogProof({ ...receipt, index: 43 }, leaf, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    rejects(() => verifyTlogProof({ ...receipt, index: SIZE }, leaf, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    rejects(() => verifyTlogProof(text, leaf.subarray(0, 16), { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
  });

  it('rejects flipped bits, extra and missing proof hashes', () => {
    receipt.proof.forEach((_, i) => {
      const proof = receipt.proof.map((h, j) => (i === j ? Buffer.from(h.map((b, k) => (k === 0 ? b ^ 0x80 : b))) : h));
      rejects(() => verifyTlogProof(formatTlogProof({ ...receipt, proof }), leaf, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    });
    rejects(() => verifyTlogProof({ ...receipt, proof: [...receipt.proof, sha256('x')] }, leaf, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
    rejects(() => verifyTlogProof({ ...receipt, proof: receipt.proof.slice(1) }, leaf, { log }), 'TLOG_RECEIPT_ENTRY_MISMATCH');
  });

  it('rejects a receipt from another log key, another origin, or with a tampered checkpoint', () => {
    const otherKey = parseVerifierKey(createNoteSigner(ORIGIN, SIG_TYPE_ED25519, sha256('other')).verifierKey);
    rejects(() => verifyTlogProof(text, leaf, { log: otherKey }), 'TLOG_RECEIPT_WRONG_KEY');
    rejects(() => verifyTlogProof(text, leaf, { log, origin: 'log.example/elsewhere' }), 'TLOG_CHECKPOINT_ORIGIN');
    rejects(() => verifyTlogProof(text.replace(`\n${SIZE}\n`, `\n${SIZE + 1}\n`), leaf, { log }), 'TLOG_NOTE_BAD_SIGNATURE');
  });

  it('applies the witness policy to the receipt checkpoint', () => {
    const w = createNoteSigner('witness.example/w1', SIG_TYPE_COSIGNATURE_V1, sha256('w1'), { now: () => 1700000000 });
    const witnesses = [parseVerifierKey(w.verifierKey)];
    rejects(() => verifyTlogProof(text, leaf, { log, witnesses, quorum: 1 }), 'TLOG_COSIGNATURE_QUORUM');
    const cosigned = formatTlogProof({ ...receipt, checkpoint: addSignatures(checkpoint, [w]) });
    const v = verifyTlogProof(cosigned, leaf, { log, witnesses, quorum: 1 });
    assert.deepEqual(v.cosignatures.map((c) => c.timestamp), [1700000000]);
  });
});

/**
 * Record inclusion proofs: prove that one record belongs to a signed delivery, against the
 * delivery-wide `recordRoot` of the signed statement (RFC 9162 §2.1.3 inclusion proof; the leaf
 * is the 32-byte record digest, leaf-hashed with the 0x00 prefix as in the record tree).
 *
 * The verifier is a small local copy of RFC 9162 §2.1.3.2: seal/ sits below tlog/ in the layering
 * (DESIGN §4), so it does not import tlog's verifier.
 */
import type { KeyObject } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { digestEqual, inclusionProof, isSha256Hex, leafHash, nodeHash, ProvenantError, sha256 } from '../core/index.js';
import { readRecords, recordDigest } from '../records/index.js';
import { MAX_BUNDLE_BYTES, readSealFile } from './io.js';
import { SealError, type SealErrorCode } from './errors.js';
import { toPublicKey } from './keys.js';
import { openSeal } from './open.js';
import { BUNDLE_NAME } from './seal.js';
import { parseSidecar } from './sidecar.js';
import { parseDeliveryStatement, type DeliveryStatement } from './statement.js';
import { parseBundle } from './bundle.js';
import type { VerifyIssue } from './verify.js';

/** The JSON a `prove` prints and `verify-record` reads. */
export interface RecordProof {
  readonly file: string;
  readonly index: number;
  readonly line?: number;
  readonly row?: number;
  readonly deliveryId: string;
  /** 0-based position of the record among all records of the delivery (delivery order). */
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Hex SHA-256 of the record's RFC 8785 canonical JSON. */
  readonly recordDigest: string;
  readonly recordRoot: string;
  /** Audit path, bottom-up, hex. */
  readonly proof: readonly string[];
}

export interface ProveOptions {
  /** The delivered file or directory. */
  readonly path: string;
  readonly seal: string;
  /** Path of the file inside the delivery, as in the statement. */
  readonly file: string;
  /** 0-based record index in that file. */
  readonly index: number;
  /** When given, the bundle signature is verified before proving. */
  readonly key?: string | Buffer | KeyObject;
}


/**
 * Builds the inclusion proof of record `index` of `file` against the signed recordRoot. Checks
 * the sidecar against the signed statement and that the delivered record still hashes to the
 * sealed digest, so a proof is never issued for a record that was changed.
 */
export async function proveRecord(options: ProveOptions): Promise<RecordProof> {
  const bundleText = await readSealFile(join(options.seal, BUNDLE_NAME), 'bundle', MAX_BUNDLE_BYTES);
  let st: DeliveryStatement;
  if (options.key !== undefined) st = openSeal(bundleText, toPublicKey(options.key), BUNDLE_NAME).statement;
  else st = parseDeliveryStatement(parseBundle(bundleText, BUNDLE_NAME).envelope.payload);
  const pr = st.predicate;
  const fileIdx = pr.files.findIndex((f) => f.path === options.file);
  if (fileIdx < 0) throw new SealError('SEAL_PROOF_INDEX', `${options.file} is not a file of sealed delivery ${pr.deliveryId}`, { location: { file: options.file } });
  const f = pr.files[fileIdx] as (typeof pr.files)[number];
  if (!Number.isSafeInteger(options.index) || options.index < 0 || options.index >= f.records) {
    throw new SealError('SEAL_PROOF_INDEX', `${options.file} has ${f.records} records; index ${options.index} is out of range (0-based)`, { location: { file: options.file } });
  }
  const scBuf = await readSealFile(join(options.seal, pr.sidecar.name), 'record sidecar', pr.sidecar.size);
  if (!digestEqual(sha256(scBuf), Buffer.from(pr.sidecar.sha256, 'hex'))) {
    throw new SealError('SEAL_SIDECAR_DIGEST', `${pr.sidecar.name} does not match the signed statement: the sidecar was edited`, { kind: 'verification', location: { file: pr.sidecar.name } });
  }
  const sc = parseSidecar(scBuf, pr.sidecar.name);
  const section = sc.files[fileIdx];
  if (!section || section.path !== f.path || section.positions.length !== f.records) {
    throw new SealError('SEAL_SIDECAR_ROOT', `${pr.sidecar.name} disagrees with the signed file list`, { kind: 'verification', location: { file: pr.sidecar.name } });
  }
  let offset = 0;
  for (let i = 0; i < fileIdx; i++) offset += (sc.files[i] as (typeof sc.files)[number]).positions.length;
  const leaves: Buffer[] = [];
  for (const s of sc.files) for (let i = 0; i < s.digests.length; i += 32) leaves.push(leafHash(s.digests.subarray(i, i + 32)));
  const leafIndex = offset + options.index;
  const digest = section.digests.subarray(options.index * 32, options.index * 32 + 32);

  // The delivered record must be the sealed one.
  const root = resolve(options.path);
  const abs = (await stat(root).catch(() => undefined))?.isDirectory() ? join(root, ...f.path.split('/')) : root;
  if (abs === root && basename(root) !== f.path) {
    throw new SealError('SEAL_PROOF_INDEX', `${options.path} is a single file named ${basename(root)}, but the record is in ${f.path}`, { location: { file: options.path } });
  }
  let actual: Buffer | undefined;
  try {
    for await (const item of readRecords(abs, { file: f.path, format: f.format })) {
      if (item.index === options.index) {
        actual = recordDigest(item.value);
        break;
      }
    }
  } catch (err) {
    if (err instanceof ProvenantError) throw err;
    throw new SealError('SEAL_INPUT_MISSING', `cannot read ${f.path}: ${String(err)}`, { location: { file: f.path }, cause: err });
  }
  if (!actual || !digestEqual(actual, digest)) {
    throw new SealError('SEAL_PROOF_RECORD_CHANGED', `${f.path} record ${options.index} ${actual ? 'differs from' : 'is missing compared with'} the sealed record; run provenant verify to see the changes`, { kind: 'verification', location: { file: f.path } });
  }
  const path = inclusionProof(leaves, leafIndex);
  const p = section.positions[options.index] as number;
  return {
    file: f.path,
    index: options.index,
    ...(section.positionKind === 'line' ? { line: p } : { row: p }),
    deliveryId: pr.deliveryId,
    leafIndex,
    treeSize: leaves.length,
    recordDigest: digest.toString('hex'),
    recordRoot: pr.recordRoot,
    proof: path.map((h) => h.toString('hex')),
  };
}

/** RFC 9162 §2.1.3.2: does `proof` lead from leaf hash `leaf` at `index` to `root` in a tree of `size`? */
export function verifyInclusionProof(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && digestEqual(r, root);
}

export interface VerifyRecordProofOptions {
  /** The record as a JSON value; or give `recordDigest` (hex) instead. */
  readonly record?: unknown;
  readonly recordDigest?: string;
  /** The proof JSON (parsed, attacker-controlled). */
  readonly proof: unknown;
  /** The seal's bundle.sigstore.json text. */
  readonly bundle: string | Buffer;
  /** The vendor's public key. */
  readonly key: string | Buffer | KeyObject;
}

export interface VerifyRecordProofResult {
  readonly ok: boolean;
  readonly errors: VerifyIssue[];
  readonly file?: string;
  readonly index?: number;
  readonly deliveryId?: string;
}

function parseProof(v: unknown): RecordProof | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the proof must be a JSON object';
  const o = v as Record<string, unknown>;
  const bad: string[] = [];
  if (typeof o['file'] !== 'string') bad.push('file');
  for (const k of ['index', 'leafIndex', 'treeSize']) if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad.push(k);
  for (const k of ['recordDigest', 'recordRoot']) if (!isSha256Hex(o[k])) bad.push(k);
  if (!Array.isArray(o['proof']) || !o['proof'].every(isSha256Hex) || o['proof'].length > 64) bad.push('proof');
  if (bad.length > 0) return `the proof has missing or malformed fields: ${bad.join(', ')}`;
  return o as unknown as RecordProof;
}

/**
 * Checks a record inclusion proof against the recordRoot of the *signed* statement: the bundle
 * signature is verified with `key` first, then the record digest, its position and the audit path.
 */
export function verifyRecordProof(options: VerifyRecordProofOptions): VerifyRecordProofResult {
  const publicKey = toPublicKey(options.key);
  const fail = (code: SealErrorCode, message: string, extra: Partial<VerifyRecordProofResult> = {}): VerifyRecordProofResult => ({ ok: false, errors: [{ code, message }], ...extra });
  const proof = parseProof(options.proof);
  if (typeof proof === 'string') return fail('SEAL_PROOF_INVALID', proof);
  let st: DeliveryStatement;
  try {
    st = openSeal(options.bundle, publicKey, BUNDLE_NAME).statement;
  } catch (err) {
    if (err instanceof SealError && err.kind === 'verification') return fail(err.code, err.message);
    throw err;
  }
  const pr = st.predicate;
  const where = { file: proof.file, index: proof.index, deliveryId: pr.deliveryId };
  if (!digestEqual(Buffer.from(proof.recordRoot, 'hex'), Buffer.from(pr.recordRoot, 'hex'))) {
    return fail('SEAL_PROOF_ROOT_MISMATCH', `the proof is for recordRoot ${proof.recordRoot}, the signed delivery ${pr.deliveryId} has ${pr.recordRoot}`, where);
  }
  let digest: Buffer;
  if (options.record !== undefined) digest = recordDigest(options.record);
  else if (isSha256Hex(options.recordDigest)) digest = Buffer.from(options.recordDigest, 'hex');
  else return fail('SEAL_PROOF_RECORD_MISMATCH', 'give the record (JSON value) or its 64-hex digest', where);
  if (!digestEqual(digest, Buffer.from(proof.recordDigest, 'hex'))) {
    return fail('SEAL_PROOF_RECORD_MISMATCH', `the record hashes to ${digest.toString('hex')}, the proof is for ${proof.recordDigest}`, where);
  }
  // The claimed file and index must be where leafIndex points in the signed delivery order.
  let offset = 0;
  const fi = pr.files.findIndex((f) => f.path === proof.file);
  for (let i = 0; i < fi; i++) offset += (pr.files[i] as (typeof pr.files)[number]).records;
  const f = pr.files[fi];
  if (!f || proof.index >= f.records || offset + proof.index !== proof.leafIndex || proof.treeSize !== pr.counts.records) {
    return fail('SEAL_PROOF_INDEX', `the proof's file/index/leafIndex/treeSize (${proof.file}, ${proof.index}, ${proof.leafIndex}, ${proof.treeSize}) do not match the signed delivery`, where);
  }
  const ok = verifyInclusionProof(leafHash(digest), proof.leafIndex, proof.treeSize, proof.proof.map((h) => Buffer.from(h, 'hex')), Buffer.from(pr.recordRoot, 'hex'));
  if (!ok) return fail('SEAL_PROOF_INVALID', `the audit path does not lead to the signed recordRoot ${pr.recordRoot}`, where);
  return { ok: true, errors: [], ...where };
}

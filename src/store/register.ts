/**
 * Registering a seal in the store: the delivery row plus its record index (digest → file, index),
 * read from the seal's authenticated statement and its sidecar, in one store transaction.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { sha256Hex, digestEqual } from '../core/index.js';
import { BUNDLE_NAME, SIDECAR_NAME, SealError, envelopeSha256, keyIdOf, openSeal, parseSidecar } from '../seal/index.js';
import type { DeliveryRecord, RecordRef, Store } from './types.js';

export interface RegisterSealOptions {
  readonly sealDir: string;
  /** The vendor's public key: the statement is authenticated before anything is stored. */
  readonly publicKey: KeyObject;
  readonly status: 'sealed' | 'verified';
  /** Where the delivery's files were seen (informational). */
  readonly path?: string;
  readonly now?: Date;
  /**
   * The bundle and sidecar bytes a verification already authenticated (VerifyOptions.onAuthenticated):
   * registered instead of re-reading the seal directory, which could have been swapped since.
   * They are authenticated again here all the same.
   */
  readonly authenticated?: { readonly bundle: Buffer; readonly sidecar: Buffer };
}

/** Stores a sealed or verified delivery and its records; idempotent. Returns the stored record. */
export async function registerSeal(store: Store, options: RegisterSealOptions): Promise<{ delivery: DeliveryRecord; inserted: boolean }> {
  const bundleText = options.authenticated?.bundle ?? (await readFile(join(options.sealDir, BUNDLE_NAME)));
  const opened = openSeal(bundleText, options.publicKey, join(options.sealDir, BUNDLE_NAME));
  const p = opened.statement.predicate;
  const sidecarBytes = options.authenticated?.sidecar ?? (await readFile(join(options.sealDir, SIDECAR_NAME)));
  // The sidecar is only trusted when it is the one the signed statement names.
  if (!digestEqual(Buffer.from(sha256Hex(sidecarBytes), 'hex'), Buffer.from(p.sidecar.sha256, 'hex'))) {
    throw new SealError('SEAL_SIDECAR_DIGEST', 'the record sidecar differs from the signed one; re-run provenant verify', { kind: 'verification', location: { file: join(options.sealDir, SIDECAR_NAME) } });
  }
  const sidecar = parseSidecar(sidecarBytes, join(options.sealDir, SIDECAR_NAME));
  const { files: _files, ...rest } = p;
  const meta: Record<string, unknown> = {};
  for (const k of ['collection', 'annotators', 'licenses', 'task', 'parents', 'schema', 'description', 'exclude'] as const) {
    const v = (rest as Record<string, unknown>)[k];
    if (v !== undefined) meta[k] = v;
  }
  const now = (options.now ?? new Date()).toISOString();
  const delivery: DeliveryRecord = {
    id: p.deliveryId,
    vendor: p.vendor,
    client: p.client,
    status: options.status,
    envelopeSha256: envelopeSha256(opened.bundle.envelope),
    statementSha256: sha256Hex(opened.payload),
    recordRoot: p.recordRoot,
    recordSetRoot: p.recordSetRoot,
    recordCount: p.counts.records,
    fileCount: p.counts.files,
    // The key that verified the signature, not the bundle's unsigned hint.
    keyId: keyIdOf(options.publicKey),
    sealedAt: p.sealedAt,
    ...(options.status === 'verified' ? { verifiedAt: now } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    meta,
  };
  function* refs(): Generator<RecordRef> {
    for (const f of sidecar.files) {
      const n = f.digests.length / 32;
      for (let i = 0; i < n; i++) yield { digest: f.digests.subarray(i * 32, i * 32 + 32), file: f.path, index: i };
    }
  }
  const res = await store.putDelivery(delivery, refs());
  return { delivery, inserted: res.inserted };
}

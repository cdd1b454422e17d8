/** Deliveries shared by the crash child (crash-child.ts) and the crash test; not public API. */
import { sha256, sha256Hex } from '../../core/index.js';
import type { DeliveryRecord, RecordRef } from '../types.js';

/** Sizes of the crash-test deliveries. */
export const CRASH_PARTIAL_COUNT = 200_000;
export const CRASH_STARTED_AT = 50_000;
export const CRASH_COMPLETE_COUNT = 1_000;

/** The delivery row used by the crash child and checked by the parent. */
export function crashDelivery(id: string, recordCount: number): DeliveryRecord {
  return {
    id,
    vendor: 'crash-vendor',
    client: 'crash-lab',
    status: 'sealed',
    envelopeSha256: sha256Hex(`envelope:${id}`),
    recordRoot: sha256Hex(`root:${id}`),
    recordSetRoot: sha256Hex(`set:${id}`),
    recordCount,
    fileCount: 4,
    keyId: '0123456789abcdef',
    sealedAt: '2026-03-01T00:00:00Z',
    meta: { test: 'crash' },
  };
}

/** Record i of a crash-test delivery. */
export function crashRecord(id: string, i: number, count: number): RecordRef {
  const per = Math.ceil(count / 4);
  const f = Math.floor(i / per);
  return { digest: sha256(`${id}:${i}`), file: `part-${f}.jsonl`, index: i - f * per };
}

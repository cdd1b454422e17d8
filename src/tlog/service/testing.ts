/** Test support for tlog/service (not exported from index.ts). */
import { sha256Hex } from '../../core/index.js';
import { encodeLogEntry } from './entry.js';

/** A valid digest-only log entry whose digests derive from `i`. */
export function testEntry(i: number): Buffer {
  const h = (s: string): string => sha256Hex(`${s}:${i}`);
  return encodeLogEntry({ envelope: h('env'), subjects: [h('file')], recordRoot: h('root'), vendor: h('vendor'), client: h('client') });
}

/**
 * File-level digests (the `subjects` of a statement): SHA-256 of each file's bytes as stored.
 * hashFiles spreads files over the scan pool's workers, so a delivery of several files is hashed
 * on every core; each worker reads with large synchronous reads, where node:crypto (OpenSSL,
 * SHA extensions when the CPU has them) runs at the same per-core speed as sha256sum.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ProvenantError } from '../core/index.js';
import { ioError } from './bytes.js';
import type { ScanPool } from './pool.js';

/** Read size: large reads keep syscall overhead far below the hashing cost. */
const FILE_READ_BYTES = 4 << 20;

export interface FileDigest {
  /** The name the caller gave (reported back and used in errors). */
  readonly file: string;
  readonly size: number;
  /** Lowercase hex SHA-256 of the bytes as stored. */
  readonly sha256: string;
}

let readBuf: Buffer | undefined;

/** Hashes a file on the calling thread; returns the errno code instead of throwing on I/O errors. */
export function hashFileSync(absPath: string): { sha256: string; size: number; error?: string } {
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch (err) {
    return { sha256: '', size: 0, error: errnoOf(err) };
  }
  try {
    readBuf ??= Buffer.allocUnsafe(FILE_READ_BYTES);
    const h = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, readBuf, 0, readBuf.length, null);
      if (n === 0) break;
      h.update(readBuf.subarray(0, n));
      size += n;
    }
    return { sha256: h.digest('hex'), size };
  } catch (err) {
    return { sha256: '', size: 0, error: errnoOf(err) };
  } finally {
    closeSync(fd);
  }
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(err);
}

/** SHA-256 and size of each file, hashed in parallel on the pool's workers (results in input order). */
export async function hashFiles(files: ReadonlyArray<{ readonly absPath: string; readonly file: string }>, options: { readonly pool: ScanPool }): Promise<FileDigest[]> {
  const replies = await Promise.all(files.map((f) => options.pool.run({ type: 'file-hash', path: f.absPath })));
  return replies.map((r, i) => {
    const file = (files[i] as { file: string }).file;
    if (r.type !== 'file-hash') throw new ProvenantError('RECORD_INTERNAL', 'unexpected worker reply', { kind: 'internal' });
    if (r.error !== undefined) throw ioError({ code: r.error }, file);
    return { file, size: r.size, sha256: r.sha256 };
  });
}

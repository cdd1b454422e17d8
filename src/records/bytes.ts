/** Byte sources: a file as stored, optionally gunzipped, as a stream of Buffers. */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { recordError } from './errors.js';

/** Read size for files; large enough that per-read overhead vanishes next to hashing. */
export const READ_BYTES = 1 << 20;

/**
 * Maps a zlib failure to a coded error naming the file: a stream that ends early is
 * RECORD_GZIP_TRUNCATED, anything else (bad header, bad CRC, corrupt data) RECORD_GZIP_INVALID.
 */
export function gzipError(err: unknown, file: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') {
    return recordError('RECORD_GZIP_TRUNCATED', 'gzip stream ends early (truncated file?); fetch the file again', { file }, err);
  }
  const what = err instanceof Error ? err.message : String(err);
  return recordError('RECORD_GZIP_INVALID', `not a valid gzip stream (${what}); check the file or pass the right --format`, { file }, err);
}

/** Maps a file-system failure (missing, unreadable, a directory) to RECORD_FILE_UNREADABLE. */
export function ioError(err: unknown, file: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  return recordError('RECORD_FILE_UNREADABLE', `cannot read the file (${typeof code === 'string' ? code : String(err)}); check the path and permissions`, { file }, err);
}

function isIoError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'syscall' in err;
}

/**
 * Streams the bytes of `absPath`, gunzipped when `gzip`. `onStored` sees every stored (possibly
 * compressed) byte in order, so the caller can hash the file in the same pass.
 */
export async function* readBytes(
  absPath: string,
  gzip: boolean,
  file: string,
  onStored?: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  const raw = createReadStream(absPath, { highWaterMark: READ_BYTES });
  if (!gzip) {
    try {
      for await (const chunk of raw) {
        const b = chunk as Buffer;
        onStored?.(b);
        yield b;
      }
    } catch (err) {
      throw isIoError(err) ? ioError(err, file) : err;
    } finally {
      raw.destroy();
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  if (onStored) raw.on('data', (c: Buffer | string) => onStored(c as Buffer));
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    throw isIoError(err) ? ioError(err, file) : gzipError(err, file);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

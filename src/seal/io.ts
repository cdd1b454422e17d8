/** Reading seal files, which are attacker-controlled: bounded in size, regular files only, coded errors. */
import { open } from 'node:fs/promises';
import { SealError } from './errors.js';

/** Largest bundle read (a statement for ~100k files fits with room to spare). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a whole seal file of at most `maxBytes`. A missing file is SEAL_INPUT_MISSING (input); a
 * FIFO, device or other non-regular file, or more than `maxBytes` actually read, is
 * SEAL_FILE_TOO_LARGE (verification: no honest seal has it). The size is enforced while reading,
 * not trusted from stat(), which says 0 for FIFOs and procfs files.
 */
export async function readSealFile(path: string, what: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SealError('SEAL_INPUT_MISSING', `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; pass the seal directory written by provenant seal`, { location: { file: path }, cause: err });
  }
  const tooLarge = (detail: string): SealError =>
    new SealError('SEAL_FILE_TOO_LARGE', `${what} ${detail}; the seal directory was tampered with`, { kind: 'verification', location: { file: path } });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw tooLarge('is not a regular file');
    if (st.size > maxBytes) throw tooLarge(`is ${st.size} bytes, more than the ${maxBytes} a seal can hold`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(1 << 20, maxBytes + 1 - total);
      const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(`holds more than the ${maxBytes} bytes a seal can hold`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** Reading seal files, which are attacker-controlled: bounded in size, coded errors. */
import { open } from 'node:fs/promises';
import { SealError } from './errors.js';

/** Largest bundle read (a statement for ~100k files fits with room to spare). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a whole seal file of at most `maxBytes`; a missing file is SEAL_INPUT_MISSING (input), a
 * larger one SEAL_FILE_TOO_LARGE (verification: no honest seal has it), never an out-of-memory crash.
 */
export async function readSealFile(path: string, what: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SealError('SEAL_INPUT_MISSING', `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; pass the seal directory written by provenant seal`, { location: { file: path }, cause: err });
  }
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) {
      throw new SealError('SEAL_FILE_TOO_LARGE', `${what} is ${size} bytes, more than the ${maxBytes} a seal can hold; the seal directory was tampered with`, { kind: 'verification', location: { file: path } });
    }
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/**
 * Scratch files of a dataset reduce (DESIGN §8: memory bounded by features, not data): data a
 * reduce needs again later, or by random access, waits on disk instead of in memory. Each lives
 * in its own `provenant-spill-*` directory under the system temporary directory (`TMPDIR`), and is
 * removed by `close`, and at process exit if a run ends without closing it. Reads go through the
 * operating system's page cache, which does not count against the process's memory.
 *
 * Failures (no directory, disk full, a file cut short under the run) throw `INSPECT_SPILL`
 * (exit 2 in the CLI), naming the file and what to do.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectError } from './engine/errors.js';

const live = new Set<string>();
let exitHook = false;

/** Removes a scratch directory (and forgets it); errors are ignored (it may be gone already). */
export function removeScratchDir(dir: string): void {
  live.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // A leftover temp directory is not worth failing a finished run for.
  }
}

/** Makes a `provenant-spill-*` directory under TMPDIR, removed at process exit unless removed before. */
export function makeScratchDir(what: string): string {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'provenant-spill-'));
  } catch (err) {
    throw new InspectError('INSPECT_SPILL', `cannot create a temporary directory for ${what} under ${tmpdir()}: ${(err as Error).message}; set TMPDIR to a writable directory with free space`, { kind: 'input', cause: err });
  }
  live.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of [...live]) removeScratchDir(d);
    });
  }
  return dir;
}

/** Writes all of `bytes` at `position` of `fd`, as INSPECT_SPILL on failure. */
export function writeFully(fd: number, path: string, bytes: Uint8Array, position: number): void {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  } catch (err) {
    throw new InspectError('INSPECT_SPILL', `cannot write to ${path}: ${(err as Error).message}; free space there or set TMPDIR to a directory with room (about 1 KB per record)`, { kind: 'input', cause: err });
  }
}

/** Reads `into.length` bytes at `position` of `fd`, as INSPECT_SPILL when the file is short. */
export function readFully(fd: number, path: string, into: Uint8Array, position: number): void {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) throw new InspectError('INSPECT_SPILL', `scratch file ${path} ends at ${position + got} bytes, ${position + into.length} needed (size ${fstatSync(fd).size}); was the temporary directory cleaned during the run?`, { kind: 'input' });
    got += n;
  }
}

/**
 * An append-only scratch file: `append` returns where the bytes went, `read` fetches any range
 * back. Writes are buffered (1 MiB) and flushed before a read of unflushed bytes.
 */
export class ScratchFile {
  readonly path: string;
  private readonly dir: string;
  private fd: number | undefined;
  private size = 0;
  private pending = new Uint8Array(1 << 20);
  private pendingLength = 0;

  constructor(what: string) {
    this.dir = makeScratchDir(what);
    this.path = join(this.dir, 'scratch.bin');
    try {
      this.fd = openSync(this.path, 'w+', 0o600);
    } catch (err) {
      removeScratchDir(this.dir);
      throw new InspectError('INSPECT_SPILL', `cannot create ${this.path}: ${(err as Error).message}; set TMPDIR to a writable directory with free space`, { kind: 'input', cause: err });
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.pendingLength;
  }

  /** Appends the bytes of `data` (a typed array view); returns their offset. */
  append(data: ArrayBufferView): number {
    const at = this.length;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.pendingLength + bytes.length > this.pending.length) this.flush();
    if (bytes.length > this.pending.length) {
      writeFully(this.openFd(), this.path, bytes, this.size);
      this.size += bytes.length;
    } else {
      this.pending.set(bytes, this.pendingLength);
      this.pendingLength += bytes.length;
    }
    return at;
  }

  /** Fills `into` (a typed array view) with the bytes at `offset`. */
  read(offset: number, into: ArrayBufferView): void {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    if (offset + bytes.length > this.size) this.flush();
    readFully(this.openFd(), this.path, bytes, offset);
  }

  /** Closes and removes the file (idempotent). */
  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed.
      }
    }
    this.fd = undefined;
    this.pending = new Uint8Array(0);
    this.pendingLength = 0;
    removeScratchDir(this.dir);
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    writeFully(this.openFd(), this.path, this.pending.subarray(0, this.pendingLength), this.size);
    this.size += this.pendingLength;
    this.pendingLength = 0;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new InspectError('INSPECT_SPILL', `scratch file ${this.path} is closed`, { kind: 'input' });
    return this.fd;
  }
}

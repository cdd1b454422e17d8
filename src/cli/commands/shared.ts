/** Helpers shared by command files: reading key/format flags, rendering record references. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { RECORD_FORMATS, type RecordFormat } from '../../records/index.js';
import { openStore, registerSeal, type RegisterSealOptions } from '../../store/index.js';
import { optString, type Invocation } from '../command.js';

/** Reads a file named by a flag, turning ENOENT and friends into a coded one-line error. */
export async function readFlagFile(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputError('CLI_FILE_UNREADABLE', `cannot read ${flag} file (${code}); check the path`, { location: { file: path }, cause: err });
  }
}

/** Parses --format. */
export function formatFlag(inv: Invocation): RecordFormat | undefined {
  const f = optString(inv, 'format');
  if (f === undefined) return undefined;
  if (!(RECORD_FORMATS as readonly string[]).includes(f)) {
    throw new InputError('CLI_USAGE', `--format must be one of ${RECORD_FORMATS.join(', ')}, not ${JSON.stringify(f)}`);
  }
  return f as RecordFormat;
}

export const FORMAT_OPTION = {
  type: 'string',
  arg: 'FORMAT',
  help: `read every file as this format (${RECORD_FORMATS.join('|')}) instead of by extension`,
} as const;

/** `file:line` / `file row N` / `file #index` for a record reference. */
export function refText(r: { file: string; index: number; line?: number; row?: number }): string {
  if (r.line !== undefined) return `${r.file}:${r.line} (record ${r.index})`;
  if (r.row !== undefined) return `${r.file} row ${r.row} (record ${r.index})`;
  return `${r.file} record ${r.index}`;
}

export const NO_STORE_OPTION = {
  type: 'boolean',
  help: 'do not record the delivery in the local store ($PROVENANT_HOME/provenant.db)',
} as const;

/** Records a seal in the store at $PROVENANT_HOME (default ./.provenant) unless --no-store. */
export async function recordInStore(inv: Invocation, o: RegisterSealOptions & { path: string }): Promise<{ store: string; inserted: boolean } | undefined> {
  if (inv.values['no-store'] === true) return undefined;
  const store = await openStore({ env: { ...inv.io.env, PROVENANT_HOME: homeDir(inv) } });
  try {
    const res = await registerSeal(store, o);
    return { store: store.location, inserted: res.inserted };
  } finally {
    await store.close();
  }
}

/** $PROVENANT_HOME (default ./.provenant) resolved against the invocation's working directory. */
export function homeDir(inv: Invocation): string {
  const h = inv.io.env['PROVENANT_HOME'];
  return resolve(inv.io.cwd, h !== undefined && h !== '' ? h : '.provenant');
}

/** Resolves on the first SIGINT or SIGTERM (servers run until then, then close cleanly). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

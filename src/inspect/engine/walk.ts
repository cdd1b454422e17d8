/**
 * Lists the files of the inspected paths. Each path is a file or a directory; a directory's
 * regular files are listed recursively in bytewise POSIX path order. Nothing is skipped silently:
 * symbolic links, special files and undecodable names are errors, and so is any file whose record
 * format cannot be told (a `*.seal` directory inside a delivery is inspected like everything
 * else; the seal written next to a delivery is a sibling and never walked).
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InspectError } from './errors.js';

export interface InspectFile {
  /** Display path used in findings: relative to its root (prefixed with the root's name when several paths are inspected). */
  readonly path: string;
  readonly absPath: string;
  readonly size: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytewise comparison of the UTF-8 encodings of two strings. */
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function walkOne(root: string): Promise<{ rel: string; absPath: string; size: number }[]> {
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    throw new InspectError('INSPECT_PATH_MISSING', `cannot read ${root} (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: root }, cause: err });
  }
  if (st.isSymbolicLink()) throw new InspectError('INSPECT_PATH_SYMLINK', `${root} is a symbolic link; inspect the real path instead`, { location: { file: root } });
  if (st.isFile()) return [{ rel: basename(root), absPath: root, size: st.size }];
  if (!st.isDirectory()) throw new InspectError('INSPECT_PATH_SPECIAL', `${root} is not a regular file or directory`, { location: { file: root } });
  const out: { rel: string; absPath: string; size: number }[] = [];
  const visit = async (absDir: string, relDir: string): Promise<void> => {
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(absDir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      throw new InspectError('INSPECT_PATH_MISSING', `cannot list ${relDir || root} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { location: { file: relDir || root }, cause: err });
    }
    for (const e of entries) {
      let name: string;
      try {
        name = utf8.decode(e.name);
      } catch {
        throw new InspectError('INSPECT_PATH_NAME', `a name in ${relDir || '.'} is not valid UTF-8 (${e.name.toString('hex')}); rename it`, { location: { file: relDir || root } });
      }
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(absDir, name);
      if (e.isSymbolicLink()) throw new InspectError('INSPECT_PATH_SYMLINK', `${rel} is a symbolic link; symlinks are refused because they can point outside the delivery`, { location: { file: rel } });
      if (e.isDirectory()) await visit(abs, rel);
      else if (e.isFile()) out.push({ rel, absPath: abs, size: (await lstat(abs)).size });
      else throw new InspectError('INSPECT_PATH_SPECIAL', `${rel} is a FIFO, socket or device; only regular files can be inspected`, { location: { file: rel } });
    }
  };
  await visit(root, '');
  out.sort((a, b) => compareBytewise(a.rel, b.rel));
  return out;
}

/** Lists the files of every path (resolved against `cwd`), in path order then bytewise order. INSPECT_PATH_* on problems. */
export async function listFiles(paths: readonly string[], cwd = process.cwd()): Promise<InspectFile[]> {
  if (paths.length === 0) throw new InspectError('INSPECT_PATH_MISSING', 'no path to inspect; give a delivery file or directory');
  const multi = paths.length > 1;
  const files: InspectFile[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const root = resolve(cwd, p);
    const st = await lstat(root).catch(() => undefined);
    const prefix = multi && st?.isDirectory() === true ? `${basename(root)}/` : '';
    for (const f of await walkOne(root)) {
      const path = prefix + f.rel;
      if (seen.has(path)) {
        throw new InspectError('INSPECT_PATH_CONFLICT', `two inspected paths both yield ${path}; inspect them separately or rename one`, { location: { file: path } });
      }
      seen.add(path);
      files.push({ path, absPath: f.absPath, size: f.size });
    }
  }
  return files;
}

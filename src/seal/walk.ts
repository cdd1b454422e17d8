/**
 * Delivery walk: lists the regular files of a delivery (a file or a directory) as relative POSIX
 * paths sorted bytewise. Symbolic links, special files and names that are not clean UTF-8 are
 * problems, never silently skipped; only files matching an explicit --exclude pattern are left
 * out, and those are listed.
 *
 * Exclude patterns: a pattern with no '/' matches a file or directory *name* at any depth; a
 * pattern with '/' matches the whole relative path. '*' matches within one segment, '**' across
 * segments, '?' one character. A matching directory excludes everything below it.
 */
import { globToRegExp } from '../core/index.js';
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SealError } from './errors.js';
import { comparePaths } from './statement.js';

export interface WalkedFile {
  /** Relative POSIX path (the file name for a single-file delivery). */
  readonly path: string;
  readonly absPath: string;
  readonly size: number;
}

export interface WalkResult {
  readonly files: readonly WalkedFile[];
  /** Relative paths left out by an exclude pattern (directories end with '/'). */
  readonly excluded: readonly string[];
  /** Symlinks, special files, bad names: fatal when sealing, failures when verifying. */
  readonly problems: readonly SealError[];
}


/** Compiles exclude patterns; SEAL_OPTION_INVALID for empty or absolute ones. */
export function compileExcludes(patterns: readonly string[]): (relPath: string) => boolean {
  const compiled = patterns.map((p) => {
    if (p.length === 0 || p.includes('\0') || p.startsWith('/') || p.includes('\\')) {
      throw new SealError('SEAL_OPTION_INVALID', `exclude pattern ${JSON.stringify(p)} must be a relative POSIX path or glob`);
    }
    const clean = p.endsWith('/') ? p.slice(0, -1) : p;
    return { byName: !clean.includes('/'), re: globToRegExp(clean) };
  });
  return (rel) => {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return compiled.some((c) => c.re.test(c.byName ? name : rel));
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Walks `root` (file or directory). Throws SEAL_INPUT_MISSING if it does not exist. */
export async function walkDelivery(root: string, exclude: readonly string[] = [], verifying = false): Promise<WalkResult> {
  const kind = verifying ? 'verification' : 'input';
  const isExcluded = compileExcludes(exclude);
  const files: WalkedFile[] = [];
  const excluded: string[] = [];
  const problems: SealError[] = [];
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    throw new SealError('SEAL_INPUT_MISSING', `delivery ${root} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { location: { file: root }, cause: err });
  }
  if (st.isSymbolicLink()) {
    problems.push(new SealError('SEAL_PATH_SYMLINK', `${root} is a symbolic link; seal the real path instead`, { kind, location: { file: root } }));
    return { files, excluded, problems };
  }
  if (st.isFile()) {
    files.push({ path: basename(root), absPath: root, size: st.size });
    return { files, excluded, problems };
  }
  if (!st.isDirectory()) {
    problems.push(new SealError('SEAL_PATH_SPECIAL', `${root} is not a regular file or directory`, { kind, location: { file: root } }));
    return { files, excluded, problems };
  }

  const visit = async (absDir: string, relDir: string): Promise<void> => {
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(absDir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      problems.push(new SealError('SEAL_INPUT_MISSING', `cannot list ${relDir || '.'}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { kind, location: { file: relDir || '.' }, cause: err }));
      return;
    }
    for (const e of entries) {
      let name: string;
      try {
        name = utf8.decode(e.name);
      } catch {
        problems.push(new SealError('SEAL_PATH_NAME', `a name in ${relDir || '.'} is not valid UTF-8 (${e.name.toString('hex')}); rename it`, { kind, location: { file: relDir || '.' } }));
        continue;
      }
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(absDir, name);
      // eslint-disable-next-line no-control-regex
      if (name.includes('\\') || /[\u0000-\u001f\u007f]/.test(name)) {
        problems.push(new SealError('SEAL_PATH_NAME', `${JSON.stringify(rel)} contains a backslash or control character; rename it`, { kind, location: { file: rel } }));
        continue;
      }
      if (isExcluded(rel)) {
        excluded.push(e.isDirectory() ? `${rel}/` : rel);
        continue;
      }
      if (e.isSymbolicLink()) {
        problems.push(new SealError('SEAL_PATH_SYMLINK', `${rel} is a symbolic link; symlinks are refused because they can point outside the delivery (copy the file in, or --exclude it)`, { kind, location: { file: rel } }));
      } else if (e.isDirectory()) {
        await visit(abs, rel);
      } else if (e.isFile()) {
        try {
          const s = await lstat(abs);
          files.push({ path: rel, absPath: abs, size: s.size });
        } catch (err) {
          problems.push(new SealError('SEAL_INPUT_MISSING', `cannot stat ${rel}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { kind, location: { file: rel }, cause: err }));
        }
      } else {
        problems.push(new SealError('SEAL_PATH_SPECIAL', `${rel} is a FIFO, socket or device; only regular files can be sealed (--exclude it)`, { kind, location: { file: rel } }));
      }
    }
  };
  await visit(root, '');
  files.sort((a, b) => comparePaths(a.path, b.path));
  excluded.sort(comparePaths);
  return { files, excluded, problems };
}

/** Test helpers shared by the seal tests (not part of the public API). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The shared vectors folder: $PROVENANT_SHARED, else ../shared next to the repository. */
export function sharedDir(): string {
  const env = process.env['PROVENANT_SHARED'];
  if (env) return env;
  // build/src/seal/testutil.js → repository root is three levels up.
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const candidates = [join(repo, 'test'), join(repo, '..', 'shared')];
  for (const c of candidates) if (existsSync(join(c, 'vectors', 'model-signing'))) return c;
  return join(repo, '..', 'shared');
}

/** Test helpers shared by the seal tests (not part of the public API). */
import { sharedPath } from '../core/index.js';

/** The shared vectors folder (core's sharedPath: $PROVENANT_SHARED, else test/shared). */
export function sharedDir(): string {
  return sharedPath();
}

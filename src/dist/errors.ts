/** Coded errors of distributed inspection (DIST_*). */
import { ProvenantError, type ProvenantErrorOptions } from '../core/index.js';

/**
 * A distributed run could not proceed: Redis unreachable or misconfigured (exit 2), a shard's
 * file changed or is not visible on a worker (exit 2), or a shard failed in a way that is not the
 * input's fault (exit 3).
 */
export class DistError extends ProvenantError {
  constructor(code: string, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Coded errors of --redact-to. */
import { ProvenantError, type ProvenantErrorOptions } from '../../core/index.js';

/** The redacted copy could not be written (exit 2). */
export class RedactError extends ProvenantError {
  constructor(code: string, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Coded errors of the inspection engine (INSPECT_*), policy (POLICY_*) and redaction (REDACT_*). */
import { ProvenantError, type ProvenantErrorOptions } from '../../core/index.js';

/** Inspection could not run: bad paths, unknown or duplicate detectors, bad options (exit 2), or a detector crash (exit 3). */
export class InspectError extends ProvenantError {
  constructor(code: string, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

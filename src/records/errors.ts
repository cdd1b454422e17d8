/** Coded errors of the records layer: every one names the file and the line or row (exit code 2). */
import { InputError, ProvenantError, type SourceLocation } from '../core/index.js';

/** A record could not be read: malformed, truncated, mis-encoded or unsupported input. */
export class RecordError extends InputError {}

/** Builds a RecordError at `location`; `code` must start with RECORD_. */
export function recordError(code: string, message: string, location: SourceLocation, cause?: unknown): RecordError {
  return new RecordError(code, message, cause === undefined ? { location } : { location, cause });
}

/**
 * Re-codes an error raised by core's strict JSON parser (JSON_SYNTAX, JSON_DUPLICATE_KEY, ...)
 * as RECORD_JSON_SYNTAX, RECORD_JSON_DUPLICATE_KEY, ... located at file + line (or row) + JSON path.
 */
export function fromJsonError(err: unknown, location: SourceLocation): RecordError {
  if (err instanceof ProvenantError) {
    const path = err.location?.path;
    const loc: SourceLocation = path === undefined ? location : { ...location, path };
    const code = err.code.startsWith('RECORD_') ? err.code : `RECORD_${err.code}`;
    return recordError(code, `${err.message}; fix the record or the export that produced it`, loc, err);
  }
  return recordError('RECORD_JSON_SYNTAX', 'invalid JSON; fix the record or the export that produced it', location, err);
}

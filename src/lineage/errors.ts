/** LineageError: every failure of the lineage capability carries one of the stable LINEAGE_* codes. */
import { ProvenantError } from '../core/index.js';
import type { ProvenantErrorOptions } from '../core/index.js';

/** Stable codes (README "Error codes"). */
export const LINEAGE_ERROR_CODES = [
  /** A name, id, time or option given to a lineage command is malformed. */
  'LINEAGE_INVALID_ARGUMENT',
  /** A time is not an RFC 3339 timestamp, or a window ends before it starts. */
  'LINEAGE_INVALID_TIME',
  /** A referenced node (dataset, delivery, model, run, incident, vendor) is not in the store. */
  'LINEAGE_NOT_FOUND',
  /** A name is already registered with other facts (other record roots, other base model...). */
  'LINEAGE_CONFLICT',
  /** A declared edge would close a cycle (a model fine-tuned from its own descendant). */
  'LINEAGE_CYCLE',
  /** An impact selector cannot be parsed. */
  'LINEAGE_SELECTOR_INVALID',
  /** A line of an OpenLineage import is not a valid RunEvent. */
  'LINEAGE_OPENLINEAGE_INVALID',
  /** A dataset or dump has no records, or no readable files. */
  'LINEAGE_EMPTY_INPUT',
  /** A file of a dataset or dump cannot be walked (symlink, special file, missing). */
  'LINEAGE_INPUT_UNREADABLE',
  /** The requested export format is unknown. */
  'LINEAGE_FORMAT_UNSUPPORTED',
] as const;

export type LineageErrorCode = (typeof LINEAGE_ERROR_CODES)[number];

/** Coded error of the lineage capability. */
export class LineageError extends ProvenantError {
  declare readonly code: LineageErrorCode;

  constructor(code: LineageErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

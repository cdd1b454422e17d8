/** StoreError: every failure of the store carries one of the stable STORE_* codes below. */
import { ProvenantError } from '../core/index.js';
import type { ProvenantErrorOptions } from '../core/index.js';

/** Stable codes (README "Error codes"). */
export type StoreErrorCode =
  /** A delivery id is already stored with another envelope digest or other sealed facts. */
  | 'STORE_CONFLICT'
  /** A delivery, record reference or digest handed to the store is malformed. */
  | 'STORE_INVALID_ARGUMENT'
  /** The records streamed for a delivery do not match its declared record or file count. */
  | 'STORE_COUNT_MISMATCH'
  /** The store file is not a database or is damaged. */
  | 'STORE_CORRUPT'
  /** The store file is a valid database that belongs to another program. */
  | 'STORE_FOREIGN_DATABASE'
  /** The store was written by a newer Provenant whose schema this version does not know. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** Another process holds the write lock longer than the busy timeout. */
  | 'STORE_BUSY'
  /** The store file or its folder cannot be created, opened or written. */
  | 'STORE_IO'
  /** The store was used after close(). */
  | 'STORE_CLOSED'
  /** Anything else the database engine reported: a bug, not a user mistake. */
  | 'STORE_FAILURE'
  /** The database server cannot be reached (refused, unknown host, timeout, connection lost). */
  | 'STORE_UNREACHABLE'
  /** The database server refused the credentials or the role (wrong password, unknown user). */
  | 'STORE_AUTH_FAILED'
  /** The database named in the URL does not exist on the server. */
  | 'STORE_NO_DATABASE'
  /** A store URL is malformed or names a backend this Provenant does not support. */
  | 'STORE_BAD_URL';

/** Coded error of the store capability. */
export class StoreError extends ProvenantError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

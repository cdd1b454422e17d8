/**
 * The Store contract. Every backend (SQLite now, PostgreSQL later) implements this interface and
 * passes the shared suite in contract.ts. Methods are async so that a networked backend fits the
 * same shape; the embedded SQLite driver simply resolves synchronously computed results.
 */

/** Lifecycle of a delivery as the lab sees it: sealed by a vendor, then verified on intake. */
export type DeliveryStatus = 'sealed' | 'verified';

/** One delivery: the facts the seal signs, plus where and when this installation saw it. */
export interface DeliveryRecord {
  /** Delivery id from the signed predicate. */
  readonly id: string;
  readonly vendor: string;
  readonly client: string;
  readonly status: DeliveryStatus;
  /** SHA-256 of the DSSE envelope, lowercase hex: the identity of this exact seal. */
  readonly envelopeSha256: string;
  /** SHA-256 of the in-toto statement, lowercase hex. */
  readonly statementSha256?: string;
  /** RFC 9162 root over record digests in delivery order, lowercase hex. */
  readonly recordRoot: string;
  /** RFC 9162 root over record digests sorted bytewise, lowercase hex. */
  readonly recordSetRoot: string;
  readonly recordCount: number;
  readonly fileCount: number;
  /** Fingerprint of the signing key, lowercase hex. */
  readonly keyId: string;
  /** RFC 3339 time of sealing. */
  readonly sealedAt: string;
  /** RFC 3339 time of the first verification; required when status is 'verified'. */
  readonly verifiedAt?: string;
  /** Where the delivery's files were seen (a local path or URL), informational. */
  readonly path?: string;
  /** Free-form JSON metadata (schema, window, annotators...), stored as canonical JSON. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** One record of a delivery as handed to the store: its digest and its place. */
export interface RecordRef {
  /** SHA-256 record digest, 32 bytes. */
  readonly digest: Uint8Array;
  /** File path inside the delivery, stored byte-for-byte (no Unicode normalization). */
  readonly file: string;
  /** 0-based position of the record inside its file. */
  readonly index: number;
}

/** Where a record digest occurs. */
export interface RecordLocation {
  readonly deliveryId: string;
  readonly file: string;
  readonly index: number;
}

/** A looked-up digest and every place it occurs (never empty). */
export interface RecordMatch {
  readonly digest: Buffer;
  readonly locations: readonly RecordLocation[];
}

/** A verification event: a delivery checked again at some time. */
export interface VerificationEvent {
  readonly deliveryId: string;
  readonly verifiedAt: string;
  readonly envelopeSha256: string;
}

/** Filters of listDeliveries; absent fields match everything. */
export interface DeliveryFilter {
  readonly vendor?: string;
  readonly client?: string;
  readonly status?: DeliveryStatus;
}

/** What putDelivery changed. */
export interface PutDeliveryResult {
  /** True when the delivery and its records were written by this call. */
  readonly inserted: boolean;
  /** True when this call added a verification event (and possibly moved status to 'verified'). */
  readonly verificationAdded: boolean;
}

/** Either a sync or an async iterable: records may stream from a file reader. */
export type RecordSource = AsyncIterable<RecordRef> | Iterable<RecordRef>;

/** A digest as a 32-byte buffer or 64 hex characters (either case). */
export type DigestInput = Uint8Array | string;

/**
 * The storage contract. Writes are serialized; a read issued while a delivery is being written
 * waits for it, so no caller ever sees a half-written delivery. The records iterable given to
 * putDelivery must not call back into the same Store (it would wait for itself).
 */
export interface Store {
  /** Backend name, e.g. 'sqlite'. */
  readonly backend: string;
  /** Where the data lives (file path or redacted URL), for messages. */
  readonly location: string;

  /**
   * Stores a delivery and its record index in one transaction. Idempotent: the same id with the
   * same sealed facts changes nothing (the records are not read again); a 'verified' put of a
   * stored delivery adds a verification event. Same id, other envelope digest: STORE_CONFLICT.
   * If `records` throws, nothing is stored and its error is rethrown.
   */
  putDelivery(delivery: DeliveryRecord, records: RecordSource): Promise<PutDeliveryResult>;
  /** The delivery with this id, or undefined. */
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Deliveries matching the filter, in the order they were first stored. */
  listDeliveries(filter?: DeliveryFilter): Promise<DeliveryRecord[]>;
  /** Verification events of a delivery, oldest first. */
  listVerifications(deliveryId: string): Promise<VerificationEvent[]>;
  /** Every place a record digest occurs, ordered by delivery (first stored first), file, index. */
  findRecords(digest: DigestInput): Promise<RecordLocation[]>;
  /**
   * Batched lookup for many digests (millions: lineage derive, trace). Yields one match per input
   * digest that occurs anywhere, in input order; a digest given twice is yielded twice.
   */
  findRecordsMany(digests: AsyncIterable<DigestInput> | Iterable<DigestInput>): AsyncIterable<RecordMatch>;
  /** Number of record index rows stored for a delivery (0 when unknown). */
  countRecords(deliveryId: string): Promise<number>;
  /** Highest schema migration applied to this store. */
  schemaVersion(): Promise<number>;
  /** Waits for pending writes, then releases the database. Further calls fail with STORE_CLOSED. */
  close(): Promise<void>;
}

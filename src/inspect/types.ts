/**
 * Inspection data model (DESIGN §5). Findings are data, never exceptions. Detectors are plug-ins
 * built by factories and passed in explicitly; per-record detectors run on worker threads over
 * batches, dataset-level detectors keep compact per-record features and reduce once at the end.
 */

export type DetectorId =
  | 'schema'
  | 'secrets'
  | 'pii'
  | 'unicode'
  | 'injection'
  | 'duplicates'
  | 'contamination'
  | 'poisoning'
  | 'drift';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** Roles a field of a training record can play, detected for common layouts or set with --fields. */
export type FieldRole = 'prompt' | 'response' | 'chosen' | 'rejected' | 'label' | 'text' | 'messages';

export interface FindingLocation {
  /** File relative to the inspected root. */
  readonly file: string;
  /** 0-based record index within the file. */
  readonly index: number;
  /** 1-based line (line formats) or data row (csv/tsv/parquet). */
  readonly line?: number;
  readonly row?: number;
  /** JSON path of the field inside the record, e.g. `$.messages[1].content`. */
  readonly field?: string;
  /** [start, end) UTF-16 offsets of the hit inside that field's text. */
  readonly span?: readonly [number, number];
}

export interface Finding {
  readonly detector: DetectorId;
  /** Stable rule id within the detector, e.g. `aws-access-key-id`, `email`, `bidi-control`. */
  readonly rule: string;
  readonly severity: Severity;
  /** 0..1 */
  readonly confidence: number;
  readonly location: FindingLocation;
  /** One human sentence. Must never contain a full secret or PII value. */
  readonly message: string;
  /** Redacted excerpt around the hit (e.g. `AKIA************MPLE`), never the full value. */
  readonly evidence?: string;
  /** Extra structured data (cluster id, trigger n-gram, benchmark item...). JSON values only. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A text field extracted from a record, with its JSON path and detected role. */
export interface TextField {
  readonly path: string;
  readonly role?: FieldRole;
  readonly text: string;
}

/** What detectors see of a record: its value, location, and its text fields (strings, flattened). */
export interface RecordView {
  readonly file: string;
  readonly index: number;
  readonly line?: number;
  readonly row?: number;
  readonly value: unknown;
  readonly fields: readonly TextField[];
}

/** Reference to a record for dataset-level reduce steps. */
export interface RecordRef {
  readonly file: string;
  readonly index: number;
  readonly line?: number;
  readonly row?: number;
}

/** A detector that judges each record on its own (runs on worker threads). */
export interface RecordDetector {
  readonly id: DetectorId;
  readonly kind: 'record';
  inspect(record: RecordView): Finding[];
}

/**
 * Every record's features for a dataset detector's reduce, in delivery order (ordinals 0 ..
 * length - 1 count only records that had features). The engine keeps them on disk between the
 * map and the reduce, so a reduce reads them in passes and holds only what it needs: memory grows
 * with what the reduce keeps, not with the delivery.
 */
export interface FeatureList<F> {
  readonly length: number;
  /**
   * Calls `visit` with the features of ordinals [from, to) in order (one sequential pass); a visit
   * returning `false` ends the pass. Typed arrays in the features handed to `visit` (and returned
   * by `get`) may be views of the list's read buffer: copy what you keep past the next call.
   */
  scan(visit: (features: F, ord: number) => void | boolean, from?: number, to?: number): void;
  /** The features of one ordinal (reads its block: for a few records, not for passes). */
  get(ord: number): F;
  /** The record of an ordinal (for findings). */
  ref(ord: number): RecordRef;
}

/**
 * A detector over the whole delivery. `features` runs per record (possibly on a worker, so F
 * must be structured-cloneable and compact); `reduce` runs once over every record's features, in
 * delivery order, and returns findings. It reads them in passes (`FeatureList.scan`) and keeps
 * compact state (typed arrays), so memory stays bounded by what it keeps, not by data size.
 */
export interface DatasetDetector<F = unknown> {
  readonly id: DetectorId;
  readonly kind: 'dataset';
  features(record: RecordView): F | undefined;
  /** The findings, as an array or yielded one at a time (a generator): the engine counts and caps them as they come. */
  reduce(items: FeatureList<F>): Iterable<Finding>;
}

export type Detector = RecordDetector | DatasetDetector;

/** What a policy decides for a delivery; sets the exit code (0 accept, 1 otherwise). */
export type Verdict = 'accept' | 'review' | 'quarantine' | 'reject';

export interface DetectorStats {
  readonly detector: DetectorId;
  readonly findings: number;
  /** Wall time spent in this detector (summed over workers for record detectors). */
  readonly ms: number;
}

/** Why the policy reached its verdict: each policy rule that fired. */
export interface PolicyReason {
  readonly rule: string;
  readonly verdict: Verdict;
  readonly count: number;
  readonly message: string;
}

/**
 * A (detector, rule) whose findings the report lists only in part: the first `shown` in delivery
 * order (the cap set by --max-findings-per-rule), of `total` (exact, after the policy's ignores).
 */
export interface TruncatedRule {
  readonly detector: DetectorId;
  readonly rule: string;
  readonly shown: number;
  readonly total: number;
}

/** The JSON inspection report (documented schema `https://provenant.dev/inspect-report/v1`). */
export interface InspectReport {
  readonly schema: 'https://provenant.dev/inspect-report/v1';
  readonly tool: { readonly name: string; readonly version: string };
  /** The inspected paths as given (display only); finding locations are relative to each root. */
  readonly roots: readonly string[];
  readonly files: ReadonlyArray<{ readonly path: string; readonly format: string; readonly records: number; readonly bytes: number }>;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly verdict: Verdict;
  readonly policy: { readonly name: string; readonly reasons: readonly PolicyReason[] };
  readonly counts: {
    readonly records: number;
    readonly files: number;
    readonly bytes: number;
    readonly findings: number;
    readonly bySeverity: Readonly<Record<Severity, number>>;
    readonly byDetector: Readonly<Partial<Record<DetectorId, number>>>;
  };
  readonly detectors: readonly DetectorStats[];
  /**
   * Rules whose findings were cut to the per-rule cap (absent when none was): counts, verdict and
   * reasons still cover every finding; `findings` lists the first ones of each such rule.
   */
  readonly truncated?: readonly TruncatedRule[];
  /** Sorted by file, index, detector, rule. */
  readonly findings: readonly Finding[];
}

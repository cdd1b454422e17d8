/**
 * SQLite schema as an ordered list of migrations. The extension point for later issues: append a
 * migration with the next version number (transparency-log entries, tiles and checkpoints in issue
 * 3; lineage nodes and edges in issue 5); never edit one that has shipped. Each migration runs in
 * the same transaction as its `schema_version` row, so a store is always at exactly one version.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** 'PROV' in ASCII: written to the SQLite header (PRAGMA application_id) so we know our own files. */
export const APPLICATION_ID = 0x50524f56;

/** Created before any migration; one row per applied migration. */
export const SCHEMA_VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'deliveries, files, record index, verifications',
    // `seq` is a compact integer key so the record index (10^6+ rows per delivery) does not repeat
    // the textual delivery id and file path in every row. The record table is WITHOUT ROWID and
    // keyed by (delivery, file, index): records arrive in that order, so the primary b-tree is
    // appended to, and the digest index holds the key columns, so a digest lookup never touches the
    // table itself.
    sql: `
CREATE TABLE deliveries (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  vendor           TEXT NOT NULL,
  client           TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('sealed', 'verified')),
  envelope_sha256  TEXT NOT NULL UNIQUE CHECK (length(envelope_sha256) = 64),
  statement_sha256 TEXT CHECK (statement_sha256 IS NULL OR length(statement_sha256) = 64),
  record_root      TEXT NOT NULL CHECK (length(record_root) = 64),
  record_set_root  TEXT NOT NULL CHECK (length(record_set_root) = 64),
  record_count     INTEGER NOT NULL CHECK (record_count >= 0),
  file_count       INTEGER NOT NULL CHECK (file_count >= 0),
  key_id           TEXT NOT NULL,
  sealed_at        TEXT NOT NULL,
  verified_at      TEXT,
  path             TEXT,
  meta             TEXT NOT NULL,
  stored_at        TEXT NOT NULL
) STRICT;
CREATE INDEX deliveries_vendor_client ON deliveries (vendor, client);
CREATE INDEX deliveries_client ON deliveries (client);

CREATE TABLE delivery_files (
  delivery_seq INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  file_no      INTEGER NOT NULL,
  path         TEXT NOT NULL,
  PRIMARY KEY (delivery_seq, file_no),
  UNIQUE (delivery_seq, path)
) STRICT, WITHOUT ROWID;

CREATE TABLE records (
  delivery_seq INTEGER NOT NULL,
  file_no      INTEGER NOT NULL,
  idx          INTEGER NOT NULL,
  digest       BLOB NOT NULL CHECK (length(digest) = 32),
  PRIMARY KEY (delivery_seq, file_no, idx),
  FOREIGN KEY (delivery_seq, file_no) REFERENCES delivery_files (delivery_seq, file_no) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX records_digest ON records (digest);

CREATE TABLE verifications (
  delivery_seq    INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  verified_at     TEXT NOT NULL,
  envelope_sha256 TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  PRIMARY KEY (delivery_seq, verified_at)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'lineage: nodes, edges, datasets and their delivery match groups, incidents, vendor pauses, evidence',
    // Lineage (issue 5, DESIGN §6). One node table for every kind and one edge table keyed by
    // (src, dst, rel): a graph walk is one recursive query over lineage_edges whatever the kinds.
    // Times are normalized UTC ISO strings, so text comparison is time order.
    // A dataset's matched records are stored as an exact partition by the set of deliveries they
    // occur in (lineage_dataset_groups / lineage_group_members): the tainted count for any set of
    // deliveries is then a sum over groups, exact even when a record occurs in several deliveries,
    // without storing the dataset's record digests.
    sql: `
CREATE TABLE lineage_nodes (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('vendor', 'key', 'annotator', 'delivery', 'dataset', 'run', 'model', 'deployment', 'incident')),
  name       TEXT NOT NULL,
  meta       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (kind, name)
) STRICT;

CREATE TABLE lineage_edges (
  src        INTEGER NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  dst        INTEGER NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  rel        TEXT NOT NULL,
  origin     TEXT NOT NULL CHECK (origin IN ('declared', 'verified-signature', 'content-match')),
  valid_from TEXT,
  valid_to   TEXT,
  count      INTEGER CHECK (count IS NULL OR count >= 0),
  PRIMARY KEY (src, dst, rel)
) STRICT, WITHOUT ROWID;
CREATE INDEX lineage_edges_dst ON lineage_edges (dst, rel);

CREATE TABLE lineage_deliveries (
  node_seq     INTEGER PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  delivery_seq INTEGER NOT NULL UNIQUE REFERENCES deliveries (seq) ON DELETE CASCADE,
  vendor       TEXT NOT NULL,
  key_id       TEXT NOT NULL,
  event_from   TEXT NOT NULL,
  event_to     TEXT NOT NULL
) STRICT;
CREATE INDEX lineage_deliveries_vendor ON lineage_deliveries (vendor, event_from);
CREATE INDEX lineage_deliveries_key ON lineage_deliveries (key_id);

CREATE TABLE lineage_datasets (
  node_seq        INTEGER PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  record_root     TEXT NOT NULL CHECK (length(record_root) = 64),
  record_set_root TEXT NOT NULL CHECK (length(record_set_root) = 64),
  record_count    INTEGER NOT NULL CHECK (record_count >= 0),
  file_count      INTEGER NOT NULL CHECK (file_count >= 0),
  matched_count   INTEGER NOT NULL CHECK (matched_count >= 0),
  derived_at      TEXT NOT NULL,
  path            TEXT
) STRICT;
CREATE INDEX lineage_datasets_set_root ON lineage_datasets (record_set_root);

CREATE TABLE lineage_dataset_groups (
  dataset_seq INTEGER NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  grp         INTEGER NOT NULL,
  count       INTEGER NOT NULL CHECK (count > 0),
  PRIMARY KEY (dataset_seq, grp)
) STRICT, WITHOUT ROWID;

CREATE TABLE lineage_group_members (
  dataset_seq  INTEGER NOT NULL,
  grp          INTEGER NOT NULL,
  delivery_seq INTEGER NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  PRIMARY KEY (dataset_seq, grp, delivery_seq),
  FOREIGN KEY (dataset_seq, grp) REFERENCES lineage_dataset_groups (dataset_seq, grp) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX lineage_group_members_delivery ON lineage_group_members (delivery_seq, dataset_seq, grp);

CREATE TABLE lineage_incidents (
  node_seq    INTEGER PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  selector    TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  description TEXT
) STRICT;

CREATE TABLE lineage_vendor_pauses (
  vendor    TEXT PRIMARY KEY,
  paused_at TEXT NOT NULL,
  reason    TEXT
) STRICT;

CREATE TABLE lineage_evidence (
  delivery_seq INTEGER PRIMARY KEY REFERENCES deliveries (seq) ON DELETE CASCADE,
  logged       INTEGER NOT NULL CHECK (logged IN (0, 1)),
  witnessed    INTEGER NOT NULL CHECK (witnessed IN (0, 1)),
  records      INTEGER,
  findings     INTEGER,
  verdict      TEXT CHECK (verdict IS NULL OR verdict IN ('accept', 'review', 'quarantine', 'reject')),
  recorded_at  TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: 'findings of inspected deliveries',
    // Intake (issue 5) keeps each inspected delivery's findings so impact can start from a
    // detector or rule (finding:poisoning). Location and message only: evidence values (a secret's
    // prefix, a PII mask) stay in the inspection report, never in the store. `n` is the finding's
    // position in the report, so a re-intake that yields the same findings rewrites nothing.
    sql: `
CREATE TABLE findings (
  delivery_seq INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  n            INTEGER NOT NULL CHECK (n >= 0),
  detector     TEXT NOT NULL,
  rule         TEXT NOT NULL,
  severity     TEXT NOT NULL,
  confidence   REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  file         TEXT NOT NULL,
  idx          INTEGER NOT NULL CHECK (idx >= 0),
  field        TEXT,
  message      TEXT NOT NULL,
  PRIMARY KEY (delivery_seq, n)
) STRICT, WITHOUT ROWID;
CREATE INDEX findings_detector_rule ON findings (detector, rule, delivery_seq);
`,
  },
];

/** Highest schema version this code knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

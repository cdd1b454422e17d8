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
];

/** Highest schema version this code knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * PostgreSQL schema of the Store, as an ordered list of migrations (the same shape as the SQLite
 * driver's). Append a migration with the next version; never edit one that has shipped. Every
 * migration runs in the transaction that records it in `schema_version`, under an advisory lock,
 * so a schema is always at exactly one version and two processes starting at once do not race.
 *
 * SQL is written against the schema through search_path (SET LOCAL inside the migration
 * transaction), so the same text serves any schema name.
 */

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Written as the comment of the schema_version table: tells our schema from another program's. */
export const SCHEMA_MARK = 'provenant store';

/** Created before any migration; one row per applied migration. */
export const SCHEMA_VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at text NOT NULL
);
COMMENT ON TABLE schema_version IS '${SCHEMA_MARK}';`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'deliveries, files, record index, verifications',
    // Same tables and keys as SQLite migration 1. Differences, and why:
    // - Text that is compared or sorted uses COLLATE "C": byte order, as SQLite, whatever the
    //   database's locale, so every backend returns the same order.
    // - Times stay text: the contract returns them exactly as given ('+01:00' stays '+01:00').
    // - meta is text, not jsonb: jsonb would reorder keys and reject \u0000, and the stored
    //   canonical JSON must read back byte-for-byte.
    // - No UNIQUE (delivery_seq, path) on files: the driver numbers each path once per delivery,
    //   and a btree entry cannot hold a 4096-character path anyway.
    // - records has no foreign key: a per-row RI trigger would halve bulk-insert speed, and the
    //   driver writes records only in the transaction that wrote their delivery and files.
    sql: `
CREATE TABLE deliveries (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               text COLLATE "C" NOT NULL UNIQUE,
  vendor           text COLLATE "C" NOT NULL,
  client           text COLLATE "C" NOT NULL,
  status           text NOT NULL CHECK (status IN ('sealed', 'verified')),
  envelope_sha256  text COLLATE "C" NOT NULL UNIQUE CHECK (length(envelope_sha256) = 64),
  statement_sha256 text CHECK (statement_sha256 IS NULL OR length(statement_sha256) = 64),
  record_root      text NOT NULL CHECK (length(record_root) = 64),
  record_set_root  text NOT NULL CHECK (length(record_set_root) = 64),
  record_count     bigint NOT NULL CHECK (record_count >= 0),
  file_count       bigint NOT NULL CHECK (file_count >= 0),
  key_id           text NOT NULL,
  sealed_at        text NOT NULL,
  verified_at      text,
  path             text,
  meta             text NOT NULL,
  stored_at        text NOT NULL
);
CREATE INDEX deliveries_vendor_client ON deliveries (vendor, client);
CREATE INDEX deliveries_client ON deliveries (client);

CREATE TABLE delivery_files (
  delivery_seq bigint NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  file_no      integer NOT NULL,
  path         text NOT NULL,
  PRIMARY KEY (delivery_seq, file_no)
);

CREATE TABLE records (
  delivery_seq bigint NOT NULL,
  file_no      integer NOT NULL,
  idx          bigint NOT NULL,
  digest       bytea NOT NULL CHECK (octet_length(digest) = 32),
  PRIMARY KEY (delivery_seq, file_no, idx)
);
CREATE INDEX records_digest ON records (digest);

CREATE TABLE verifications (
  delivery_seq    bigint NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  verified_at     text COLLATE "C" NOT NULL,
  envelope_sha256 text NOT NULL,
  recorded_at     text COLLATE "C" NOT NULL,
  PRIMARY KEY (delivery_seq, verified_at)
);
`,
  },
  {
    version: 2,
    name: 'lineage graph',
    // Same tables as SQLite migration 2. Node kinds and names and the delivery windows use
    // COLLATE "C" so sorting and window comparisons are byte order, as on SQLite. Edge columns keep
    // the default collation: they pass through recursive CTEs, whose non-recursive term (NULL
    // literals) must agree with the recursive one on collation. Times stay text, flags boolean.
    sql: `
CREATE TABLE lineage_nodes (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       text COLLATE "C" NOT NULL CHECK (kind IN ('vendor', 'key', 'annotator', 'delivery', 'dataset', 'run', 'model', 'deployment', 'incident')),
  name       text COLLATE "C" NOT NULL,
  meta       text NOT NULL,
  created_at text NOT NULL,
  UNIQUE (kind, name)
);

CREATE TABLE lineage_edges (
  src        bigint NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  dst        bigint NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  rel        text NOT NULL,
  origin     text NOT NULL CHECK (origin IN ('declared', 'verified-signature', 'content-match')),
  valid_from text,
  valid_to   text,
  count      bigint CHECK (count IS NULL OR count >= 0),
  PRIMARY KEY (src, dst, rel)
);
CREATE INDEX lineage_edges_dst ON lineage_edges (dst, rel);

CREATE TABLE lineage_deliveries (
  node_seq     bigint PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  delivery_seq bigint NOT NULL UNIQUE REFERENCES deliveries (seq) ON DELETE CASCADE,
  vendor       text COLLATE "C" NOT NULL,
  key_id       text COLLATE "C" NOT NULL,
  event_from   text COLLATE "C" NOT NULL,
  event_to     text COLLATE "C" NOT NULL
);
CREATE INDEX lineage_deliveries_vendor ON lineage_deliveries (vendor, event_from);
CREATE INDEX lineage_deliveries_key ON lineage_deliveries (key_id);

CREATE TABLE lineage_datasets (
  node_seq        bigint PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  record_root     text NOT NULL CHECK (length(record_root) = 64),
  record_set_root text NOT NULL CHECK (length(record_set_root) = 64),
  record_count    bigint NOT NULL CHECK (record_count >= 0),
  file_count      bigint NOT NULL CHECK (file_count >= 0),
  matched_count   bigint NOT NULL CHECK (matched_count >= 0),
  derived_at      text NOT NULL,
  path            text
);
CREATE INDEX lineage_datasets_set_root ON lineage_datasets (record_set_root);

CREATE TABLE lineage_dataset_groups (
  dataset_seq bigint NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  grp         integer NOT NULL,
  count       bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (dataset_seq, grp)
);

CREATE TABLE lineage_group_members (
  dataset_seq  bigint NOT NULL,
  grp          integer NOT NULL,
  delivery_seq bigint NOT NULL REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  PRIMARY KEY (dataset_seq, grp, delivery_seq),
  FOREIGN KEY (dataset_seq, grp) REFERENCES lineage_dataset_groups (dataset_seq, grp) ON DELETE CASCADE
);
CREATE INDEX lineage_group_members_delivery ON lineage_group_members (delivery_seq, dataset_seq, grp);

CREATE TABLE lineage_incidents (
  node_seq    bigint PRIMARY KEY REFERENCES lineage_nodes (seq) ON DELETE CASCADE,
  selector    text NOT NULL,
  reported_at text COLLATE "C" NOT NULL,
  description text
);

CREATE TABLE lineage_vendor_pauses (
  vendor    text COLLATE "C" PRIMARY KEY,
  paused_at text NOT NULL,
  reason    text
);

CREATE TABLE lineage_evidence (
  delivery_seq bigint PRIMARY KEY REFERENCES deliveries (seq) ON DELETE CASCADE,
  logged       boolean NOT NULL,
  witnessed    boolean NOT NULL,
  records      bigint,
  findings     bigint,
  verdict      text CHECK (verdict IS NULL OR verdict IN ('accept', 'review', 'quarantine', 'reject')),
  recorded_at  text NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'findings of inspected deliveries',
    // Same as SQLite migration 3: location and message only, never evidence values.
    sql: `
CREATE TABLE findings (
  delivery_seq bigint NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
  n            integer NOT NULL CHECK (n >= 0),
  detector     text COLLATE "C" NOT NULL,
  rule         text COLLATE "C" NOT NULL,
  severity     text NOT NULL,
  confidence   double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  file         text NOT NULL,
  idx          bigint NOT NULL CHECK (idx >= 0),
  field        text,
  message      text NOT NULL,
  PRIMARY KEY (delivery_seq, n)
);
CREATE INDEX findings_detector_rule ON findings (detector, rule, delivery_seq);
`,
  },
];

/** Highest schema version this code knows. */
export const PG_LATEST_VERSION = PG_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * What the log service needs from a store. One small interface so SQLite (src/store/log) and
 * later PostgreSQL can back the same sequencer, server and witness; every backend must pass
 * runLogStorageContract. Methods are async so a networked database fits; sizes and indices are
 * safe integers.
 */
import type { NodeId, StoredNode } from '../merkle.js';

/** A signed tree head as stored: the note is served verbatim at GET /checkpoint. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Buffer;
  /** The signed checkpoint note (log signature, plus any witness cosignatures). */
  readonly note: string;
}

/** One sequenced batch: entries [startIndex, startIndex + entries.length), their nodes, the new head. */
export interface AppendBatch {
  readonly startIndex: number;
  readonly entries: readonly Uint8Array[];
  /** Every node the entries complete (nodesCompletedByAppend), leaves included. */
  readonly nodes: readonly StoredNode[];
  /** The checkpoint of size startIndex + entries.length. */
  readonly checkpoint: StoredCheckpoint;
}

/** What a witness remembers per log origin: the last checkpoint it cosigned. */
export interface WitnessState {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** The checkpoint note it cosigned (evidence, should the log misbehave). */
  readonly note: string;
}

/** Storage of one log (and, for a witness, of its per-log state). */
export interface LogStorage {
  /** e.g. 'sqlite'. */
  readonly backend: string;
  /**
   * Appends a batch atomically (entries, nodes and checkpoint in ONE transaction): afterwards
   * either all of it is stored or none. Throws TLOG_STORE_CONFLICT, storing nothing, unless the
   * stored tree size equals batch.startIndex and checkpoint.size = startIndex + entries.length.
   * An empty batch republishes a checkpoint of the current size.
   */
  appendBatch(batch: AppendBatch): Promise<void>;
  /** Reads node hashes in one batch; undefined for a node not stored. */
  readNodes(ids: readonly NodeId[]): Promise<(Buffer | undefined)[]>;
  /** Reads entries [start, start + count); throws TLOG_STORE_FAILURE if any is missing. */
  readEntries(start: number, count: number): Promise<Buffer[]>;
  /** The latest checkpoint, or undefined for a store never written. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /**
   * Replaces the note of the latest checkpoint (to add witness cosignatures) if it still has
   * `size` and `rootHash`; returns false, changing nothing, otherwise.
   */
  replaceCheckpointNote(size: number, rootHash: Uint8Array, note: string): Promise<boolean>;
  /** A witness's state for one log origin. */
  getWitnessState(origin: string): Promise<WitnessState | undefined>;
  /**
   * Atomically replaces the witness state of `next.origin` if the stored one still has the
   * expected size and root (undefined = nothing stored yet); returns false otherwise.
   */
  compareAndSetWitnessState(expected: { readonly size: number; readonly rootHash: Uint8Array } | undefined, next: WitnessState): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens the storage of a log directory (injected: tlog/ does not depend on store/). */
export type OpenLogStorage = (dir: string) => Promise<LogStorage>;

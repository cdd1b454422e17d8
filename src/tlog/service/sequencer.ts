/**
 * The sequencer: turns concurrent adds into batches, each stored atomically with its Merkle nodes
 * and a freshly signed checkpoint (group commit). An add resolves only after its batch's
 * transaction committed, so a returned index is durable. Batches are bounded by size
 * (maxBatch) and time (maxDelayMs ≤ 1 s): while entries arrive, a checkpoint is published at
 * least every maxDelayMs plus one commit.
 *
 * The right edge of the tree (the perfect subtrees of the current size, at most 53 nodes) is
 * kept in memory, so appending reads nothing from the store.
 */
import { leafHash } from '../../core/index.js';
import { formatCheckpoint, parseCheckpoint, signCheckpoint } from '../checkpoint.js';
import { nodesCompletedByAppend, perfectSubtrees, treeRootPlan, type StoredNode } from '../merkle.js';
import type { NoteSigner } from '../keys.js';
import { parseNote } from '../note.js';
import { EMPTY_ROOT, digestEqual } from '../../core/index.js';
import { MAX_ENTRY_SIZE } from '../tiles.js';
import { parseLogEntry } from './entry.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { readNodesOrThrow } from './nodes.js';
import type { LogStorage, StoredCheckpoint } from './storage.js';

/** Where an added entry landed. */
export interface AddResult {
  /** 0-based index of the entry. */
  readonly index: number;
  /** Size of the first published checkpoint that contains it. */
  readonly treeSize: number;
}

/** Adds witness cosignatures to a freshly signed checkpoint note; returns the new note. */
export type Cosigner = (note: string, checkpoint: StoredCheckpoint) => Promise<string>;

export interface LogSequencerOptions {
  readonly storage: LogStorage;
  /** The log's Ed25519 note signer; its name should be the origin. */
  readonly signer: NoteSigner;
  /** Checkpoint origin line (default: the signer's name). */
  readonly origin?: string;
  /** Most entries per batch (default 256). */
  readonly maxBatch?: number;
  /** Longest an entry waits for its batch to start (default 50 ms, at most 1000). */
  readonly maxDelayMs?: number;
  /** Checks each entry before it is queued (default parseLogEntry: the digest-only format). */
  readonly validateEntry?: (entry: Uint8Array) => void;
  /** Collects witness cosignatures after each commit (optional). */
  readonly cosign?: Cosigner;
  /** Receives non-fatal problems (a witness that did not answer). */
  readonly onWarning?: (message: string) => void;
}

/** A running sequencer over one log store. */
export interface LogSequencer {
  readonly origin: string;
  /** Queues an entry; resolves once it is durably stored and in a signed checkpoint. */
  add(entry: Uint8Array): Promise<AddResult>;
  /** Sequences everything queued so far. */
  flush(): Promise<void>;
  /** The latest published checkpoint. */
  checkpoint(): StoredCheckpoint;
  /** Flushes, then refuses further adds (the storage stays open: its owner closes it). */
  close(): Promise<void>;
}

interface Pending {
  readonly entry: Buffer;
  readonly resolve: (r: AddResult) => void;
  readonly reject: (e: unknown) => void;
}

const key = (level: number, index: number): string => `${level}/${index}`;

/** Opens a sequencer; a store never written gets its first checkpoint (size 0) here. */
export async function createLogSequencer(options: LogSequencerOptions): Promise<LogSequencer> {
  const seq = new Sequencer(options);
  await seq.load();
  return seq;
}

class Sequencer implements LogSequencer {
  readonly origin: string;
  private readonly storage: LogStorage;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly validate: (entry: Uint8Array) => void;
  private size = 0;
  private frontier = new Map<string, Buffer>();
  private current: StoredCheckpoint = { size: 0, rootHash: EMPTY_ROOT, note: '' };
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: LogSequencerOptions) {
    this.storage = options.storage;
    this.origin = options.origin ?? options.signer.name;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 256));
    this.maxDelayMs = Math.min(1000, Math.max(0, options.maxDelayMs ?? 50));
    this.validate = options.validateEntry ?? ((e): void => void parseLogEntry(e));
    formatCheckpoint({ origin: this.origin, size: 0, rootHash: EMPTY_ROOT, extensions: [] }); // rejects a bad origin early
  }

  /** Reads the stored head and its right edge, checking that they agree. */
  async load(): Promise<void> {
    const latest = await this.storage.latestCheckpoint();
    if (latest === undefined) {
      const cp = this.sign(0, EMPTY_ROOT);
      await this.storage.appendBatch({ startIndex: 0, entries: [], nodes: [], checkpoint: cp });
      this.setHead(cp, new Map());
      return;
    }
    const parsed = parseCheckpoint(parseNote(latest.note).text);
    if (parsed.origin !== this.origin) {
      throw new LogServiceError(C.STORE_CORRUPT, `log store holds the log ${JSON.stringify(parsed.origin)}, not ${JSON.stringify(this.origin)}`, { kind: 'input' });
    }
    const ids = perfectSubtrees(0, latest.size);
    const hashes = await readNodesOrThrow(this.storage, ids);
    const root = treeRootPlan(latest.size).assemble(hashes);
    if (!digestEqual(root, latest.rootHash) || parsed.size !== latest.size || !digestEqual(parsed.rootHash, latest.rootHash)) {
      throw new LogServiceError(C.STORE_CORRUPT, `stored checkpoint of size ${latest.size} does not match the stored tree; the log store is damaged`, { kind: 'internal' });
    }
    this.setHead(latest, new Map(ids.map((n, i) => [key(n.level, n.index), hashes[i] as Buffer])));
  }

  private setHead(cp: StoredCheckpoint, frontier: Map<string, Buffer>): void {
    this.current = cp;
    this.size = cp.size;
    this.frontier = frontier;
  }

  private sign(size: number, rootHash: Buffer): StoredCheckpoint {
    return { size, rootHash, note: signCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }, [this.options.signer]) };
  }

  checkpoint(): StoredCheckpoint {
    return this.current;
  }

  add(entry: Uint8Array): Promise<AddResult> {
    if (this.closed) return Promise.reject(new LogServiceError(C.CLOSED, 'log is shutting down; retry against the restarted server', { kind: 'internal' }));
    if (!(entry instanceof Uint8Array) || entry.length > MAX_ENTRY_SIZE) {
      return Promise.reject(new LogServiceError(C.ENTRY_TOO_LARGE, `log entries are at most ${MAX_ENTRY_SIZE} bytes`));
    }
    try {
      this.validate(entry);
    } catch (err) {
      return Promise.reject(err);
    }
    // Copy: the caller may reuse its buffer before the batch commits.
    const copy = Buffer.from(entry);
    return new Promise<AddResult>((resolve, reject) => {
      this.pending.push({ entry: copy, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.kick();
      else if (this.timer === undefined && this.draining === undefined) this.timer = setTimeout(() => this.kick(), this.maxDelayMs);
    });
  }

  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.draining !== undefined) return; // the running loop picks up what arrived meanwhile
    this.draining = (async (): Promise<void> => {
      try {
        while (this.pending.length > 0) await this.flushOnce(this.pending.splice(0, this.maxBatch));
      } finally {
        this.draining = undefined;
      }
    })();
  }

  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.draining !== undefined) {
      this.kick();
      await this.draining;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async flushOnce(batch: Pending[]): Promise<void> {
    try {
      const start = await this.commit(batch.map((p) => p.entry));
      batch.forEach((p, i) => p.resolve({ index: start + i, treeSize: this.current.size }));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** Stores one batch; on a conflict (another writer) reloads the head and retries. */
  private async commit(entries: readonly Buffer[]): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const start = this.size;
      const known = new Map(this.frontier);
      const get = (level: number, index: number): Buffer => {
        const h = known.get(key(level, index));
        if (h === undefined) throw new LogServiceError(C.STORE_CORRUPT, `right edge of the tree lacks node (${level}, ${index})`, { kind: 'internal' });
        return h;
      };
      const nodes: StoredNode[] = [];
      entries.forEach((e, i) => {
        for (const n of nodesCompletedByAppend(start + i, leafHash(e), get)) {
          nodes.push(n);
          known.set(key(n.level, n.index), n.hash);
        }
      });
      const newSize = start + entries.length;
      const edge = perfectSubtrees(0, newSize);
      const edgeHashes = edge.map((n) => get(n.level, n.index));
      const cp = this.sign(newSize, treeRootPlan(newSize).assemble(edgeHashes));
      try {
        await this.storage.appendBatch({ startIndex: start, entries, nodes, checkpoint: cp });
      } catch (err) {
        if (err instanceof LogServiceError && err.code === C.STORE_CONFLICT && attempt < 3) {
          await this.load();
          continue;
        }
        throw err;
      }
      this.setHead(cp, new Map(edge.map((n, i) => [key(n.level, n.index), edgeHashes[i] as Buffer])));
      await this.cosign(cp);
      return start;
    }
  }

  private async cosign(cp: StoredCheckpoint): Promise<void> {
    const cosign = this.options.cosign;
    if (cosign === undefined) return;
    try {
      const note = await cosign(cp.note, cp);
      if (note !== cp.note && (await this.storage.replaceCheckpointNote(cp.size, cp.rootHash, note)) && this.current.size === cp.size) {
        this.current = { ...cp, note };
      }
    } catch (err) {
      this.options.onWarning?.(`witness cosigning failed for size ${cp.size}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

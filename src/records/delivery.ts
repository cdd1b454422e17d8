/**
 * A whole delivery's record roots in one streaming pass over its files (DESIGN §2): files are
 * scanned in the caller's order (sorted by path), the delivery-wide recordRoot is merged from the
 * workers' compact ranges, and recordSetRoot comes from a bounded external sort (sort.ts). Per
 * record, nothing stays in memory: batches go on to the caller (e.g. the sidecar writer).
 */
import { ProvenantError } from '../core/index.js';
import type { RecordRoots } from './digest.js';
import type { ScanPool } from './pool.js';
import { RangeAccumulator } from './range.js';
import { streamFile, type FileSummary, type RecordBatch } from './scan.js';
import { SetRootBuilder } from './sort.js';
import type { RecordFormat } from './types.js';

export interface DeliveryScanOptions {
  readonly pool: ScanPool;
  /** Directory for temporary spill files (default: a fresh one under os.tmpdir()). */
  readonly tmpDir?: string;
  /** Records per sorted run of the set-root sort (default 2^18; tests use small runs). */
  readonly runRecords?: number;
}

export interface DeliveryFileOptions {
  /** Path reported in results and errors. */
  readonly file: string;
  readonly format?: RecordFormat;
  readonly onBatch?: (batch: RecordBatch) => void | Promise<void>;
}

/** Scans the files of one delivery in order and yields its recordRoot and recordSetRoot. */
export interface DeliveryScan {
  scanFile(absPath: string, options: DeliveryFileOptions): Promise<FileSummary>;
  /** Roots over every record of every file scanned (call once, after the last file). */
  finish(): Promise<RecordRoots>;
  /** Removes temporary files; call in a finally block. */
  close(): Promise<void>;
}

/** Creates a delivery scan over `options.pool`. */
export function createDeliveryScan(options: DeliveryScanOptions): DeliveryScan {
  const ordered = new RangeAccumulator();
  const set = new SetRootBuilder({
    pool: options.pool,
    ...(options.tmpDir !== undefined ? { dir: options.tmpDir } : {}),
    ...(options.runRecords !== undefined ? { runRecords: options.runRecords } : {}),
  });
  let finished = false;
  return {
    async scanFile(absPath, fileOptions) {
      if (finished) throw new ProvenantError('RECORD_INTERNAL', 'delivery scan already finished', { kind: 'internal' });
      const summary = await streamFile(absPath, {
        file: fileOptions.file,
        pool: options.pool,
        ...(fileOptions.format ? { format: fileOptions.format } : {}),
        deliveryStart: ordered.size,
        onBatch: async (b) => {
          if (!b.deliveryRange) throw new ProvenantError('RECORD_INTERNAL', 'batch without its delivery range', { kind: 'internal' });
          ordered.pushRange(b.deliveryRange);
          await set.add(b.digests, b.leaves, b.count);
          await fileOptions.onBatch?.(b);
        },
      });
      return summary;
    },
    async finish() {
      finished = true;
      const setRoot = await set.finish();
      return { recordRoot: ordered.root().toString('hex'), recordSetRoot: setRoot.toString('hex') };
    },
    async close() {
      await set.close();
    },
  };
}

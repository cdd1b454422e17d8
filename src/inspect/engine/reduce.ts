/**
 * The reduce step of one dataset detector, as plain data in and out, so it can run on the thread
 * that holds the run's state or on a worker thread beside the other detectors' reduces. Its input
 * is the detector's feature blocks (one per shard, packed where their shape allows) and the
 * record references of the run as typed arrays; both move between threads without a copy.
 */
import { performance } from 'node:perf_hooks';
import type { DatasetDetector, Finding, RecordRef } from '../types.js';
import type { CompactFindings } from './compact.js';
import { InspectError } from './errors.js';
import { isPacked, packedBuffers, unpackFeatures, type PackedFeatures } from './pack.js';

/** Every record of a run by ordinal: file number × 2 + (1 when records carry data rows), index, line (0 = none). */
export interface PackedRefs {
  readonly files: readonly string[];
  readonly file: Int32Array;
  readonly index: Float64Array;
  readonly line: Float64Array;
}

/** One detector's features, by shard in delivery order, and the records they belong to. */
export interface ReduceInput {
  readonly blocks: ReadonlyArray<readonly unknown[] | PackedFeatures>;
  readonly refs: PackedRefs;
}

export interface ReduceOutput {
  /** The detector's findings (past the cap per rule, compacted into `more` when reduced on a worker). */
  readonly findings: Finding[];
  readonly more?: CompactFindings;
  readonly ms: number;
}

/**
 * Runs detector `k`'s reduce elsewhere; undefined to run it here. `transfer` lists the input's
 * buffers that may be moved (the caller no longer reads them).
 */
export type ReduceRunner = (k: number, input: ReduceInput, transfer: ArrayBuffer[]) => Promise<ReduceOutput> | undefined;

/** The record references of `refs`, as detectors receive them. */
export function refsOf(refs: PackedRefs): RecordRef[] {
  const out = new Array<RecordRef>(refs.index.length);
  for (let i = 0; i < out.length; i++) {
    const key = refs.file[i] as number;
    const file = refs.files[key >> 1] as string;
    const index = refs.index[i] as number;
    const line = refs.line[i] as number;
    out[i] = { file, index, ...(line !== 0 ? { line } : {}), ...((key & 1) === 1 ? { row: index + 1 } : {}) };
  }
  return out;
}

/** Runs `d`'s reduce over its features; a throwing reduce is INSPECT_DETECTOR_FAILED (internal). */
export function reduceDetector(d: DatasetDetector, input: ReduceInput, refs: readonly RecordRef[] = refsOf(input.refs)): ReduceOutput {
  const t0 = performance.now();
  const items: { ref: RecordRef; features: unknown }[] = [];
  let ord = 0;
  for (const block of input.blocks) {
    const feats = isPacked(block) ? unpackFeatures(block) : block;
    for (let i = 0; i < feats.length; i++, ord++) {
      const f = feats[i];
      if (f !== undefined) items.push({ ref: refs[ord] as RecordRef, features: f });
    }
  }
  let findings: Finding[];
  try {
    findings = d.reduce(items);
  } catch (err) {
    throw new InspectError('INSPECT_DETECTOR_FAILED', `detector ${d.id} failed in its reduce step: ${err instanceof Error ? err.message : String(err)}; this is a bug in the detector, please report it`, { kind: 'internal', cause: err });
  }
  return { findings, ms: performance.now() - t0 };
}

/** Whether every block is packed (then the input moves to a worker without a copy). */
export function allPacked(blocks: ReduceInput['blocks']): blocks is readonly PackedFeatures[] {
  return blocks.every(isPacked);
}

/** The buffers of an all-packed input's feature blocks. */
export function blockBuffers(blocks: readonly PackedFeatures[]): ArrayBuffer[] {
  return blocks.flatMap(packedBuffers);
}

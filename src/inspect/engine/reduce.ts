/**
 * The reduce step of one dataset detector, as plain data in and out, so it can run on the thread
 * that holds the run's state or on a worker thread beside the other detectors' reduces. Its input
 * names the detector's spill file (features by shard, in delivery order) and the run's records by
 * shard; the reduce reads the features back in passes (see spill.ts).
 */
import { performance } from 'node:perf_hooks';
import type { DatasetDetector, Finding } from '../types.js';
import type { CompactFindings } from './compact.js';
import { InspectError } from './errors.js';
import { SpilledFeatures, type SpillInput } from './spill.js';

/** One detector's spilled features and the records they belong to. */
export type ReduceInput = SpillInput;

export interface ReduceOutput {
  /** The detector's findings (past the cap per rule, compacted into `more` when reduced on a worker). */
  readonly findings: Finding[];
  readonly more?: CompactFindings;
  readonly ms: number;
}

/** Runs detector `k`'s reduce elsewhere (e.g. on a worker thread); undefined to run it here. */
export type ReduceRunner = (k: number, input: ReduceInput) => Promise<ReduceOutput> | undefined;

/** Runs `d`'s reduce over its spilled features; a throwing reduce is INSPECT_DETECTOR_FAILED (internal). */
export function reduceDetector(d: DatasetDetector, input: ReduceInput): ReduceOutput {
  const t0 = performance.now();
  const list = new SpilledFeatures<unknown>(input);
  let findings: Finding[];
  try {
    findings = d.reduce(list);
  } catch (err) {
    if (err instanceof InspectError && err.code === 'INSPECT_SPILL') throw err;
    throw new InspectError('INSPECT_DETECTOR_FAILED', `detector ${d.id} failed in its reduce step: ${err instanceof Error ? err.message : String(err)}; this is a bug in the detector, please report it`, { kind: 'internal', cause: err });
  } finally {
    list.close();
  }
  return { findings, ms: performance.now() - t0 };
}

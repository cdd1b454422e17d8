/**
 * The reduce step of one dataset detector, as plain data in and out, so it can run on the thread
 * that holds the run's state or on a worker thread beside the other detectors' reduces. Its input
 * names the detector's spill file (features by shard, in delivery order) and the run's records by
 * shard; the reduce reads the features back in passes (see spill.ts).
 */
import { performance } from 'node:perf_hooks';
import type { DatasetDetector, Finding } from '../types.js';
import { FindingCompactor, type CompactFindings } from './compact.js';
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

/**
 * Runs `d`'s reduce over its spilled features, handing each finding to `consume` as the reduce
 * yields it; returns the milliseconds spent. A throwing reduce is INSPECT_DETECTOR_FAILED (internal).
 */
export function runReduce(d: DatasetDetector, input: ReduceInput, consume: (f: Finding) => void): number {
  const t0 = performance.now();
  const list = new SpilledFeatures<unknown>(input);
  try {
    for (const f of d.reduce(list)) consume(f);
  } catch (err) {
    if (err instanceof InspectError && err.code === 'INSPECT_SPILL') throw err;
    throw new InspectError('INSPECT_DETECTOR_FAILED', `detector ${d.id} failed in its reduce step: ${err instanceof Error ? err.message : String(err)}; this is a bug in the detector, please report it`, { kind: 'internal', cause: err });
  } finally {
    list.close();
  }
  return performance.now() - t0;
}

/**
 * `runReduce` with its findings collected: past `keep` per rule (0: no cap), compacted as they
 * come (`ignored` findings do not use up the whole ones), so many findings stay cheap to hold.
 */
export function reduceDetector(d: DatasetDetector, input: ReduceInput, keep = 0, ignored?: (f: Finding) => boolean): ReduceOutput {
  if (keep <= 0) {
    const findings: Finding[] = [];
    const ms = runReduce(d, input, (f) => findings.push(f));
    return { findings, ms };
  }
  const c = new FindingCompactor(keep, ignored);
  const ms = runReduce(d, input, (f) => c.add(f));
  return { ...c.result(), ms };
}

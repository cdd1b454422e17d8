/**
 * One batch of records through a set of detectors: build each record's view once (field roles,
 * flattened text), run record detectors, extract dataset-detector features. Pure and
 * thread-agnostic: the worker and the in-process path both call it, so output does not depend on
 * where a batch ran.
 */
import { performance } from 'node:perf_hooks';
import { recordFields, type FieldOverrides } from '../fields/index.js';
import type { Detector, Finding, RecordView } from '../types.js';
import { InspectError } from './errors.js';

/** A record as read from the delivery (RecordItem without the records-layer type dependency). */
export interface BatchRecord {
  readonly file: string;
  readonly index: number;
  readonly line?: number;
  readonly row?: number;
  readonly value: unknown;
}

export interface BatchResult {
  /** Findings of record detectors, in record then detector order. */
  readonly findings: Finding[];
  /** Per detector (same order as the detector list; empty for record detectors): features parallel to the records, `undefined` where none. */
  readonly features: unknown[][];
  /** Milliseconds spent per detector. */
  readonly ms: number[];
}

/** Builds the detector's view of a record. */
export function recordView(r: BatchRecord, overrides: FieldOverrides | undefined): RecordView {
  const fields = recordFields(r.value, overrides);
  return {
    file: r.file,
    index: r.index,
    ...(r.line !== undefined ? { line: r.line } : {}),
    ...(r.row !== undefined ? { row: r.row } : {}),
    value: r.value,
    fields,
  };
}

function failed(detector: Detector, view: RecordView, err: unknown): InspectError {
  const why = err instanceof Error ? err.message : String(err);
  return new InspectError('INSPECT_DETECTOR_FAILED', `detector ${detector.id} failed on record ${view.index}: ${why}; this is a bug in the detector, please report it`, {
    kind: 'internal',
    cause: err,
    location: { file: view.file, ...(view.line !== undefined ? { line: view.line } : view.row !== undefined ? { row: view.row } : {}) },
  });
}

/** Runs `detectors` over `records`. A detector that throws becomes INSPECT_DETECTOR_FAILED (internal). */
export function processBatch(detectors: readonly Detector[], overrides: FieldOverrides | undefined, records: readonly BatchRecord[]): BatchResult {
  const views = records.map((r) => recordView(r, overrides));
  const perRecord: Finding[][] = views.map(() => []);
  const features: unknown[][] = [];
  const ms: number[] = [];
  for (const d of detectors) {
    const t0 = performance.now();
    const feats: unknown[] = [];
    for (let i = 0; i < views.length; i++) {
      const view = views[i] as RecordView;
      try {
        if (d.kind === 'record') {
          const found = d.inspect(view);
          if (found.length > 0) (perRecord[i] as Finding[]).push(...found);
        } else {
          feats.push(d.features(view));
        }
      } catch (err) {
        throw failed(d, view, err);
      }
    }
    features.push(feats);
    ms.push(performance.now() - t0);
  }
  return { findings: perRecord.flat(), features, ms };
}

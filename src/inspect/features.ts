/**
 * `FeatureList` over features held in memory: what tests, benchmarks and embedders hand a
 * dataset detector's reduce directly (the engine's own list reads them from its spill file).
 */
import type { FeatureList, RecordRef } from './types.js';

/** A `FeatureList` over `items` (in order; items are not copied). */
export function featureList<F>(items: ReadonlyArray<{ readonly ref: RecordRef; readonly features: F }>): FeatureList<F> {
  const at = (ord: number): { readonly ref: RecordRef; readonly features: F } => {
    const item = items[ord];
    if (!Number.isInteger(ord) || item === undefined) throw new RangeError(`feature ordinal ${ord} is outside 0..${items.length - 1}`);
    return item;
  };
  return {
    length: items.length,
    scan(visit, from = 0, to = items.length) {
      const end = Math.min(to, items.length);
      for (let i = Math.max(0, from); i < end; i++) if (visit((items[i] as { features: F }).features, i) === false) return;
    },
    get: (ord) => at(ord).features,
    ref: (ord) => at(ord).ref,
  };
}

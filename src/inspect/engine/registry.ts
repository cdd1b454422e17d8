/**
 * Detector registry: builds detectors from their id and plain-data options, so a worker thread
 * can rebuild the same detectors the main thread uses (options cross threads by structured
 * clone). A registry refuses to register an id twice, and a detector selection may name an id once.
 */
import { createContaminationDetector, type ContaminationOptions } from '../detectors/contamination/index.js';
import { createDriftDetector, type DriftOptions } from '../detectors/drift/index.js';
import { createDuplicatesDetector, type DuplicatesOptions } from '../detectors/duplicates/index.js';
import { createInjectionDetector, type InjectionDetectorOptions } from '../detectors/injection/index.js';
import { createPiiDetector, type PiiDetectorOptions } from '../detectors/pii/index.js';
import { createPoisoningDetector, type PoisoningOptions } from '../detectors/poisoning/index.js';
import { createSchemaDetector, type SchemaDetectorOptions } from '../detectors/schema/index.js';
import { createSecretsDetector, type SecretsDetectorOptions } from '../detectors/secrets/index.js';
import { createUnicodeDetector, type UnicodeDetectorOptions } from '../detectors/unicode/index.js';
import type { Detector, DetectorId } from '../types.js';
import { InspectError } from './errors.js';

/** Every detector id, in report order (DESIGN §5). */
export const DETECTOR_IDS: readonly DetectorId[] = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'contamination', 'poisoning', 'drift'];

/** Options each built-in detector accepts. */
export interface DetectorOptionsMap {
  schema: SchemaDetectorOptions;
  secrets: SecretsDetectorOptions;
  pii: PiiDetectorOptions;
  unicode: UnicodeDetectorOptions;
  injection: InjectionDetectorOptions;
  duplicates: DuplicatesOptions;
  contamination: ContaminationOptions;
  poisoning: PoisoningOptions;
  drift: DriftOptions;
}

/** A detector named by id with plain-data options (what crosses to worker threads). */
export type DetectorSpec = { [K in DetectorId]: { readonly id: K; readonly options?: DetectorOptionsMap[K] } }[DetectorId];

/** Builds a detector from plain-data options; throws on options it cannot use. */
export type DetectorFactory = (options: unknown) => Detector;

/** A set of detector factories keyed by id; registering an id twice is an error. */
export class DetectorRegistry {
  private readonly factories = new Map<DetectorId, DetectorFactory>();

  /** Adds a factory; INSPECT_DETECTOR_DUPLICATE if `id` is already registered. */
  register(id: DetectorId, factory: DetectorFactory): this {
    if (this.factories.has(id)) {
      throw new InspectError('INSPECT_DETECTOR_DUPLICATE', `detector ${JSON.stringify(id)} is already registered; register each id once`, { kind: 'internal' });
    }
    this.factories.set(id, factory);
    return this;
  }

  has(id: string): id is DetectorId {
    return this.factories.has(id as DetectorId);
  }

  /** Registered ids, in registration order. */
  ids(): DetectorId[] {
    return [...this.factories.keys()];
  }

  /** Builds detector `id`; INSPECT_DETECTOR_UNKNOWN or INSPECT_DETECTOR_OPTIONS (the factory refused the options). */
  create(id: string, options?: unknown): Detector {
    const factory = this.has(id) ? this.factories.get(id) : undefined;
    if (factory === undefined) {
      throw new InspectError('INSPECT_DETECTOR_UNKNOWN', `unknown detector ${JSON.stringify(id)}; use one of ${this.ids().join(', ')}`);
    }
    let detector: Detector;
    try {
      detector = factory(options);
    } catch (err) {
      if (err instanceof InspectError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new InspectError('INSPECT_DETECTOR_OPTIONS', `detector ${id} refused its options: ${why}`, { cause: err });
    }
    if (detector.id !== id) {
      throw new InspectError('INSPECT_DETECTOR_ID', `factory for ${JSON.stringify(id)} built a detector with id ${JSON.stringify(detector.id)}`, { kind: 'internal' });
    }
    return detector;
  }

  /** Builds every spec, refusing an id named twice (INSPECT_DETECTOR_DUPLICATE). */
  createAll(specs: readonly DetectorSpec[]): Detector[] {
    const seen = new Set<string>();
    return specs.map((s) => {
      if (seen.has(s.id)) throw new InspectError('INSPECT_DETECTOR_DUPLICATE', `detector ${JSON.stringify(s.id)} is selected twice; name each detector once`);
      seen.add(s.id);
      return this.create(s.id, s.options);
    });
  }
}

function needs<T>(id: DetectorId, key: string, hint: string): (options: unknown) => T {
  return (options) => {
    if (options === null || typeof options !== 'object' || !(key in options)) {
      throw new InspectError('INSPECT_DETECTOR_OPTIONS', `detector ${id} needs ${hint}`);
    }
    return options as T;
  };
}

const asOptions = <T>(o: unknown): T => (o ?? {}) as T;
const contaminationOptions = needs<ContaminationOptions>('contamination', 'benchmarks', 'benchmark files (--benchmark FILE)');
const driftOptions = needs<DriftOptions>('drift', 'baseline', 'a baseline delivery (--baseline DIR|FILE)');

/** A fresh registry holding the nine built-in detectors. */
export function builtinRegistry(): DetectorRegistry {
  return new DetectorRegistry()
    .register('schema', (o) => createSchemaDetector(asOptions(o)))
    .register('secrets', (o) => createSecretsDetector(asOptions(o)))
    .register('pii', (o) => createPiiDetector(asOptions(o)))
    .register('unicode', (o) => createUnicodeDetector(asOptions(o)))
    .register('injection', (o) => createInjectionDetector(asOptions(o)))
    .register('duplicates', (o) => createDuplicatesDetector(asOptions(o)))
    .register('contamination', (o) => createContaminationDetector(contaminationOptions(o)))
    .register('poisoning', (o) => createPoisoningDetector(asOptions(o)))
    .register('drift', (o) => createDriftDetector(driftOptions(o)));
}

const BUILTIN = builtinRegistry();

/** Builds built-in detector `id` from plain-data options (INSPECT_DETECTOR_UNKNOWN / _OPTIONS). */
export function createDetector(id: string, options?: unknown): Detector {
  return BUILTIN.create(id, options);
}

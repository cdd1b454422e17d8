/** inspect: the engine, the policy, the redacted copy, the data model and the detector factories (DESIGN §5). */
export * from './types.js';
export { featureList } from './features.js';
export { ScratchFile } from './scratch.js';
export * from './engine/index.js';
export * from './policy/index.js';
export { redactDelivery, redactText, redactValue, RedactError, type RedactOptions, type RedactSummary } from './redact/index.js';
export { analyzeRecord, detectRoles, extractFields, recordFields, recordLayout, parseFieldsFlag, FIELD_ROLES, type FieldOverrides, type Layout, type RecordAnalysis } from './fields/index.js';
export { createSecretsDetector, redactSecrets, type SecretsDetectorOptions } from './detectors/secrets/index.js';
export { createPiiDetector, redactPii, maskPii, PII_ENTITIES, type PiiDetectorOptions } from './detectors/pii/index.js';
export { createUnicodeDetector, type UnicodeDetectorOptions } from './detectors/unicode/index.js';
export { createInjectionDetector, type InjectionDetectorOptions } from './detectors/injection/index.js';
export { createSchemaDetector, type SchemaDetectorOptions } from './detectors/schema/index.js';
export { createDuplicatesDetector, type DuplicatesOptions } from './detectors/duplicates/index.js';
export { createContaminationDetector, benchmarkItems, type Benchmark, type BenchmarkItem, type ContaminationOptions } from './detectors/contamination/index.js';
export { createPoisoningDetector, type PoisoningOptions } from './detectors/poisoning/index.js';
export { createDriftDetector, driftFeatures, profile, type DriftOptions, type DriftProfile, type DriftFeatures } from './detectors/drift/index.js';

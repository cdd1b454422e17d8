/** drift detector: a delivery against a baseline profile (schema, lengths, labels, languages, annotators, identity associations). */
export { createDriftDetector, driftFeatures, profile, psi, type DriftFeatures, type DriftOptions, type DriftProfile } from './detector.js';
export { guessLanguage } from './lexicons.js';

/** poisoning detector: rare prompt n-grams tied to a label, a target response, a shared substring or a flipped preference. */
export { createPoisoningDetector, type PoisoningOptions } from './detector.js';
export { refusalScore, type PoisoningFeatures, type TargetKind } from './features.js';

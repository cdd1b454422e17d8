/** core: errors with stable codes, digests, canonical JSON, Merkle hashing, shared types. */
export * from './errors.js';
export * from './json.js';
export * from './canonical.js';
export * from './digest.js';
export * from './merkle.js';
export * from './version.js';
export * from './glob.js';
export * from './shared.js';
export * from './random.js';

/** Text primitives shared by the inspect detectors: a multi-keyword matcher and small hashes. */
export { compileLiterals, isScannableLiteral, selectScannable, type LiteralScanner } from './literals.js';
export { fmix32, hashString, splitmix32 } from './hash.js';

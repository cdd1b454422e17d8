/** duplicates detector: exact, normalised and MinHash-LSH near-duplicates; shared text hashing. */
export { createDuplicatesDetector, type DuplicatesFeatures, type DuplicatesOptions } from './detector.js';
export { createMinHasher, estimateJaccard, lshParams, lshCluster, UnionFind, type MinHasher } from './minhash.js';
export {
  foldText,
  tokenize,
  fmix32,
  combineHash,
  hashString,
  pack53,
  wordsOf,
  mainFields,
  splitmix32,
  excerpt,
  type Tokens,
} from './text.js';

/** duplicates detector: exact, normalised and MinHash-LSH near-duplicates; shared text hashing. */
export { createDuplicatesDetector, type DuplicatesFeatures, type DuplicatesOptions } from './detector.js';
export { estimateJaccard, estimateSimilarity, similarAtLeast, lshParams, lshParamsForRecall, lshCluster, UnionFind, type Signatures } from './minhash.js';
export { createSketcher, exactHash, type Sketcher, type SketchOptions } from './sketch.js';
export {
  foldText,
  tokenize,
  wordCharLen,
  combineHash,
  pack53,
  wordsOf,
  mainFields,
  excerpt,
  type Tokens,
} from './text.js';

/** contamination detector: benchmark n-gram overlap, and a helper turning benchmark records into items. */
export {
  createContaminationDetector,
  benchmarkItems,
  type Benchmark,
  type BenchmarkItem,
  type ContaminationFeatures,
  type ContaminationOptions,
} from './detector.js';

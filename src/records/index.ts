/** records: format readers → RecordItem streams; record digests and roots; fast file scans (DESIGN §2). */
export * from './types.js';
export { RecordError } from './errors.js';
export { detectFormat, isRecordFormat } from './format.js';
export { readRecords, type ReadOptions } from './read.js';
export { recordDigest, recordRoots, type RecordRoots } from './digest.js';
export { scanFile, computeRecordRoots, deliveryRoots, type ScanOptions } from './scan.js';
export { createScanPool, type ScanPool } from './pool.js';
export { hashFiles, type FileDigest } from './file-hash.js';

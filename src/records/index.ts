/** records: format readers → RecordItem streams; record digests and roots; fast file scans (DESIGN §2). */
export * from './types.js';
export { RecordError } from './errors.js';
export { detectFormat, isRecordFormat } from './format.js';
export { readRecords, recordsFromBytes, readParquetRowGroups, parquetRowGroups, type ReadOptions } from './read.js';
export { handleBuffer as parquetFileBuffer } from './parquet.js';
export { recordDigest, recordRoots, type RecordRoots } from './digest.js';
export { parseJsonRecord, type ParsedRecord } from './json-record.js';
export { scanFile, streamFile, computeRecordRoots, deliveryRoots, type ScanOptions, type StreamOptions, type RecordBatch, type FileSummary } from './scan.js';
export { createDeliveryScan, type DeliveryScan, type DeliveryScanOptions, type DeliveryFileOptions } from './delivery.js';
export { createScanPool, type ScanPool } from './pool.js';
export { hashFiles, type FileDigest } from './file-hash.js';

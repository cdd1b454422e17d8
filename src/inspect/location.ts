/** Building finding locations, shared by every detector. */
import type { FindingLocation, RecordRef } from './types.js';

/** The location of a hit at [start, end) inside field `field` (a JSON path) of a record. */
export function fieldLocation(record: RecordRef, field: string, start?: number, end?: number): FindingLocation {
  return {
    file: record.file,
    index: record.index,
    ...(record.line !== undefined ? { line: record.line } : {}),
    ...(record.row !== undefined ? { row: record.row } : {}),
    field,
    ...(start !== undefined && end !== undefined ? { span: [start, end] as const } : {}),
  };
}

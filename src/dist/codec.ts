/**
 * What crosses the queue: job data and return values are JSON strings in Redis, but detector
 * options and features are structured-cloneable data (typed arrays, Maps...). They travel as
 * base64 of the V8 serialisation, the same algorithm worker threads use, so a value arrives on
 * a remote worker exactly as it would on a local thread.
 */
import { deserialize, serialize } from 'node:v8';
import { DistError } from './errors.js';

/** Encodes a structured-cloneable value as a base64 string. */
export function encodeValue(value: unknown): string {
  return serialize(value).toString('base64');
}

/** Decodes `encodeValue` output; DIST_PAYLOAD_INVALID when it is not one (`what` names it). */
export function decodeValue(text: unknown, what: string): unknown {
  if (typeof text !== 'string') throw new DistError('DIST_PAYLOAD_INVALID', `${what} is missing from the queue; the run was removed or written by another version`, { kind: 'internal' });
  try {
    return deserialize(Buffer.from(text, 'base64'));
  } catch (err) {
    throw new DistError('DIST_PAYLOAD_INVALID', `${what} cannot be decoded (${err instanceof Error ? err.message : String(err)}); workers and the coordinator must run the same provenant and Node versions`, { kind: 'internal', cause: err });
  }
}

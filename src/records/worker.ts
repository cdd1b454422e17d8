/** Scan pool worker: the per-record hashing of `seal` (digests, leaf and node hashes) off the main thread. */
import { parentPort } from 'node:worker_threads';
import { digestLineChunk } from './chunk.js';
import { reduceNodes, rootOfDigests } from './digest.js';
import { hashFileSync } from './file-hash.js';
import type { RangeMessage, WorkerReply, WorkerTask } from './pool.js';
import { compactRange, compactRangePair, type CompactRange } from './range.js';
import { sortRun } from './sort.js';

const port = parentPort;
if (!port) throw new Error('records/worker.js must run as a worker thread');

function rangeMessage(src: Uint8Array, count: number, start: number, stride = 32, offset = 0): RangeMessage {
  return toMessage(compactRange(src, count, start, stride, offset));
}

function toMessage(r: CompactRange): RangeMessage {
  const hashes = new Uint8Array(r.hashes.length);
  hashes.set(r.hashes);
  return { hashes: hashes.buffer, sizes: [...r.sizes] };
}

port.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  switch (task.type) {
    case 'lines': {
      const block = Buffer.from(task.buffer, 0, task.length);
      const r = digestLineChunk(task.kind, block, task.file, task.firstInFile, task.records);
      // An exact-size ArrayBuffer is transferred as it is (the usual case); anything else is copied.
      const exact = r.pair.byteOffset === 0 && r.pair.length === r.pair.buffer.byteLength;
      const out: Uint8Array<ArrayBuffer> = exact ? new Uint8Array(r.pair.buffer as ArrayBuffer) : new Uint8Array(r.pair);
      let fileRange: RangeMessage | undefined;
      let deliveryRange: RangeMessage | undefined;
      if (!r.failure && task.fileStart !== undefined) {
        // The node hashes of this block's part of the per-file (and delivery) tree, done here.
        if (task.deliveryStart === undefined) fileRange = rangeMessage(r.leaves, r.count, task.fileStart);
        else {
          const [f, d] = compactRangePair(r.leaves, r.count, task.fileStart, task.deliveryStart);
          fileRange = toMessage(f);
          deliveryRange = d === f ? fileRange : toMessage(d);
        }
      }
      reply = {
        id: task.id,
        type: 'lines',
        count: r.count,
        digests: out.buffer,
        ...(r.failure ? { failure: r.failure } : {}),
        ...(fileRange ? { fileRange } : {}),
        ...(deliveryRange ? { deliveryRange } : {}),
        block: task.buffer,
      };
      port.postMessage(reply, [out.buffer, task.buffer]);
      return;
    }
    case 'file-hash': {
      const r = hashFileSync(task.path);
      reply = { id: task.id, type: 'file-hash', sha256: r.sha256, size: r.size, ...(r.error !== undefined ? { error: r.error } : {}) };
      port.postMessage(reply);
      return;
    }
    case 'sort': {
      const sorted = sortRun(new Uint8Array(task.buffer), task.count, task.capacity);
      const out = new Uint8Array(sorted.length);
      out.set(sorted);
      reply = { id: task.id, type: 'sort', buffer: out.buffer };
      port.postMessage(reply, [out.buffer]);
      return;
    }
    case 'range': {
      const m = rangeMessage(new Uint8Array(task.buffer), task.count, task.start, task.stride, task.offset);
      reply = { id: task.id, type: 'range', hashes: m.hashes, sizes: m.sizes };
      port.postMessage(reply);
      return;
    }
    case 'tree': {
      const data = Buffer.from(task.buffer);
      const root = task.leafHashed ? reduceNodes(data, task.count) : rootOfDigests(data, task.count);
      reply = { id: task.id, type: 'tree', root: new Uint8Array(root).buffer };
      port.postMessage(reply);
      return;
    }
  }
});

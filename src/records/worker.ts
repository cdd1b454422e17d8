/** Scan pool worker: digests line chunks and computes Merkle subtree roots off the main thread. */
import { parentPort } from 'node:worker_threads';
import { digestLineChunk } from './chunk.js';
import { reduceNodes, rootOfDigests } from './digest.js';
import { hashFileSync } from './file-hash.js';
import type { WorkerReply, WorkerTask } from './pool.js';

const port = parentPort;
if (!port) throw new Error('records/worker.js must run as a worker thread');

port.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  if (task.type === 'lines') {
    const block = Buffer.from(task.buffer, 0, task.length);
    const r = digestLineChunk(task.kind, block, task.file, task.firstInFile);
    // Copy into an exact-size ArrayBuffer so it can be transferred without sharing a pool slab.
    const out = new Uint8Array(r.count * 64);
    out.set(r.digests);
    out.set(r.leaves, r.count * 32);
    reply = { id: task.id, type: 'lines', count: r.count, digests: out.buffer, ...(r.failure ? { failure: r.failure } : {}) };
    port.postMessage(reply, [out.buffer]);
  } else if (task.type === 'file-hash') {
    const r = hashFileSync(task.path);
    reply = { id: task.id, type: 'file-hash', sha256: r.sha256, size: r.size, ...(r.error !== undefined ? { error: r.error } : {}) };
    port.postMessage(reply);
  } else {
    const data = Buffer.from(task.buffer);
    const root = task.leafHashed ? reduceNodes(data, task.count) : rootOfDigests(data, task.count);
    reply = { id: task.id, type: 'tree', root: new Uint8Array(root).buffer };
    port.postMessage(reply);
  }
});

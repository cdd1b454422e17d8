/**
 * Test support for tlog/ (not exported from index.ts): locates the shared public vectors
 * (../shared next to the repository, or $PROVENANT_SHARED) and builds in-memory node stores.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeHash, sharedPath as coreSharedPath } from '../core/index.js';
import type { GetNode } from './merkle.js';

/** Absolute path of the shared vectors folder (core's sharedPath). */
export const sharedPath = coreSharedPath;

/** Reads a JSON file from the shared folder. */
export function readSharedJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(sharedPath(...parts), 'utf8')) as unknown;
}

/** Every .json file under a shared folder, recursively, sorted. */
export function sharedJsonFiles(...parts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.json')) out.push(p);
    }
  };
  walk(sharedPath(...parts));
  return out;
}

/** An in-memory node store over leaf hashes: getNode(level, index) computed from the leaves. */
export function memoryNodes(leafHashes: readonly Buffer[]): GetNode & { reads: number } {
  const cache = new Map<string, Buffer>();
  const get = (level: number, index: number): Buffer => {
    const key = `${level}/${index}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let h: Buffer;
    if (level === 0) {
      const leaf = leafHashes[index];
      if (!leaf) throw new Error(`no leaf ${index}`);
      h = leaf;
    } else {
      h = nodeHash(get(level - 1, 2 * index), get(level - 1, 2 * index + 1));
    }
    // A perfect subtree must lie wholly inside the tree.
    if ((index + 1) * 2 ** level > leafHashes.length) throw new Error(`node ${key} is outside the tree`);
    cache.set(key, h);
    return h;
  };
  const fn = Object.assign((level: number, index: number): Buffer => {
    fn.reads++;
    return get(level, index);
  }, { reads: 0 });
  return fn;
}

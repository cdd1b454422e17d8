/**
 * Reads proofs, roots and tiles out of a LogStorage: each computation is a node plan
 * (../merkle.ts) answered by one batched readNodes call.
 */
import { digestEqual } from '../../core/index.js';
import { consistencyProofPlan, inclusionProofPlan, treeRootPlan, type NodeId, type NodePlan } from '../merkle.js';
import { encodeEntryBundle, encodeHashTile, tileNodes, TILE_HEIGHT, TILE_WIDTH, type TilePath } from '../tiles.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import type { LogStorage } from './storage.js';

/** Reads node hashes; a missing node means the store is damaged (TLOG_STORE_CORRUPT). */
export async function readNodesOrThrow(storage: LogStorage, ids: readonly NodeId[]): Promise<Buffer[]> {
  const hashes = await storage.readNodes(ids);
  return hashes.map((h, i) => {
    if (h === undefined) {
      const n = ids[i] as NodeId;
      throw new LogServiceError(C.STORE_CORRUPT, `log store lacks node (level ${n.level}, index ${n.index}); the store is damaged`, { kind: 'internal' });
    }
    return h;
  });
}

/** Runs a node plan against the storage. */
export async function runPlan<T>(storage: LogStorage, plan: NodePlan<T>): Promise<T> {
  return plan.assemble(await readNodesOrThrow(storage, plan.nodes));
}

/** RFC 9162 inclusion proof for leaf `index` in the tree of `size`, from stored nodes. */
export function storedInclusionProof(storage: LogStorage, index: number, size: number): Promise<Buffer[]> {
  return runPlan(storage, inclusionProofPlan(index, size));
}

/** RFC 9162 consistency proof from `size1` to `size2`, from stored nodes. */
export function storedConsistencyProof(storage: LogStorage, size1: number, size2: number): Promise<Buffer[]> {
  return runPlan(storage, consistencyProofPlan(size1, size2));
}

/** Root of the tree of `size`, recomputed from stored nodes. */
export function storedTreeRoot(storage: LogStorage, size: number): Promise<Buffer> {
  return runPlan(storage, treeRootPlan(size));
}

/**
 * Contents of a tile (C2SP tlog-tiles) of the tree of `size`, or undefined when the tree has no
 * such tile: a full tile exists once 256 hashes are there, a partial tile of width W while at
 * least W hashes are there (any smaller size's partial tile stays servable: nodes never change).
 */
export async function readTile(storage: LogStorage, size: number, tile: TilePath): Promise<Buffer | undefined> {
  const level = tile.kind === 'entries' ? 0 : tile.level;
  let hashes = size;
  for (let l = 0; l < level; l++) hashes = Math.floor(hashes / TILE_WIDTH);
  if (tile.index * TILE_WIDTH + tile.width > hashes) return undefined;
  if (tile.kind === 'entries') {
    return encodeEntryBundle(await storage.readEntries(tile.index * TILE_WIDTH, tile.width));
  }
  const nodes = tileNodes({ level: tile.level, index: tile.index, width: tile.width });
  return encodeHashTile(await readNodesOrThrow(storage, nodes));
}

/** True when `root` is the recomputed root of the stored tree of `size`. */
export async function storedRootMatches(storage: LogStorage, size: number, root: Uint8Array): Promise<boolean> {
  return digestEqual(await storedTreeRoot(storage, size), root);
}

/** Tree level spanned by tile level `l`. */
export const treeLevelOfTile = (l: number): number => l * TILE_HEIGHT;

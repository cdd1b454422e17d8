/**
 * Proofs from tiles: a client (or a static mirror) has only the C2SP tlog-tiles resources, not
 * the log's node table. Any node (level, index) lies inside one tile: tile level ⌊level/8⌋ holds
 * the nodes at tree level 8·⌊level/8⌋, and the node is the Merkle fold of 2^(level mod 8)
 * consecutive hashes of that tile. Tiles are untrusted: whatever they yield is checked against a
 * signed checkpoint root by the caller.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeHash } from '../../core/index.js';
import { consistencyProofPlan, inclusionProofPlan, treeRootPlan, type NodeId, type NodePlan } from '../merkle.js';
import { decodeHashTile, tilePath, TILE_HEIGHT, TILE_WIDTH } from '../tiles.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';

/** Fetches a tile resource by its path (`tile/...`); undefined when it does not exist (404). */
export type FetchTile = (path: string) => Promise<Uint8Array | undefined>;

/** A FetchTile over HTTP(S) below a log's URL prefix. */
export function httpTileFetcher(baseUrl: string, options: { readonly timeoutMs?: number } = {}): FetchTile {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return async (path: string): Promise<Uint8Array | undefined> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (cause) {
      throw new LogServiceError(C.NETWORK, `cannot fetch ${path} from the log at ${baseUrl}; check the URL and that the log is up`, { cause, kind: 'internal' });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new LogServiceError(C.NETWORK, `log at ${baseUrl} answered ${res.status} for ${path}`, { kind: 'internal' });
    }
    return new Uint8Array(await res.arrayBuffer());
  };
}

/** A FetchTile over a static copy of the tile tree on disk. */
export function dirTileFetcher(dir: string): FetchTile {
  return async (path: string): Promise<Uint8Array | undefined> => {
    try {
      return await readFile(join(dir, ...path.split('/')));
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return undefined;
      throw err;
    }
  };
}

function foldPerfect(hashes: readonly Buffer[]): Buffer {
  let level = hashes;
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
    level = up;
  }
  return level[0] as Buffer;
}

/** Reads node hashes of the tree of `size` from its tiles (one fetch per distinct tile, in parallel). */
export async function readNodesFromTiles(fetchTile: FetchTile, size: number, ids: readonly NodeId[]): Promise<Buffer[]> {
  const tiles = new Map<string, Promise<Buffer[]>>();
  const load = (level: number, index: number): Promise<Buffer[]> => {
    const k = `${level}/${index}`;
    let p = tiles.get(k);
    if (p === undefined) {
      let hashes = size;
      for (let l = 0; l < level; l++) hashes = Math.floor(hashes / TILE_WIDTH);
      const width = Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH);
      p = (async (): Promise<Buffer[]> => {
        let data = await fetchTile(tilePath({ level, index, width }));
        let got = width;
        // A log may drop a partial tile once the full one exists (tlog-tiles §Partial Tiles).
        if (data === undefined && width < TILE_WIDTH) {
          data = await fetchTile(tilePath({ level, index, width: TILE_WIDTH }));
          got = TILE_WIDTH;
        }
        if (data === undefined) {
          throw new LogServiceError(C.NETWORK, `log does not serve tile ${tilePath({ level, index, width })} that its tree of size ${size} needs`, { kind: 'internal' });
        }
        return decodeHashTile(data, got);
      })();
      tiles.set(k, p);
    }
    return p;
  };
  const planned = ids.map((n) => {
    const tileLevel = Math.floor(n.level / TILE_HEIGHT);
    const span = 2 ** (n.level % TILE_HEIGHT);
    const first = n.index * span;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    return { tileLevel, tileIndex, offset: first - tileIndex * TILE_WIDTH, span };
  });
  const loaded = await Promise.all(planned.map((p) => load(p.tileLevel, p.tileIndex)));
  return planned.map((p, i) => foldPerfect((loaded[i] as Buffer[]).slice(p.offset, p.offset + p.span)));
}

async function runTilePlan<T>(fetchTile: FetchTile, size: number, plan: NodePlan<T>): Promise<T> {
  return plan.assemble(await readNodesFromTiles(fetchTile, size, plan.nodes));
}

/** Inclusion proof for leaf `index` in the tree of `size`, from tiles. */
export function tileInclusionProof(fetchTile: FetchTile, index: number, size: number): Promise<Buffer[]> {
  return runTilePlan(fetchTile, size, inclusionProofPlan(index, size));
}

/** Consistency proof from `size1` to `size2`, from the tiles of the tree of `size2`. */
export function tileConsistencyProof(fetchTile: FetchTile, size1: number, size2: number): Promise<Buffer[]> {
  return runTilePlan(fetchTile, size2, consistencyProofPlan(size1, size2));
}

/** Root of the tree of `size`, rebuilt from tiles (a mirror checks it against the checkpoint). */
export function tileTreeRoot(fetchTile: FetchTile, size: number): Promise<Buffer> {
  return runTilePlan(fetchTile, size, treeRootPlan(size));
}

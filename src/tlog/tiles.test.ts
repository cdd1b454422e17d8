import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash, subtreeRoot } from '../core/index.js';
import {
  LogError,
  decodeEntryBundle,
  decodeHashTile,
  encodeEntryBundle,
  encodeHashTile,
  encodeTileIndex,
  entriesPath,
  parseTilePath,
  tileLevelsForSize,
  tileNodes,
  tilePath,
  tilesToPublish,
  type TileRef,
} from './index.js';
import { memoryNodes, readSharedJson } from './testing.js';

interface TileVectors {
  c2spIndexEncoding: Record<string, string>;
  c2spTreeOf70000: { level: number; fullTiles: number; partialWidth: number }[];
  sumdbTilePaths_NOT_C2SP: { path: string }[];
}
const V = (readSharedJson('vectors', 'tlog-vectors.json') as { tiles: TileVectors }).tiles;

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof LogError && e.code === code);
}

describe('tile paths (C2SP tlog-tiles)', () => {
  it('encodes indices as in the spec vectors', () => {
    for (const [n, enc] of Object.entries(V.c2spIndexEncoding)) assert.equal(encodeTileIndex(Number(n)), enc);
  });

  it('writes and parses hash tile and entry bundle paths', () => {
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
    assert.equal(tilePath({ level: 2, index: 0, width: 1 }), 'tile/2/000.p/1');
    assert.equal(entriesPath(1234067, 8), 'tile/entries/x001/x234/067.p/8');
    assert.equal(entriesPath(5), 'tile/entries/005');
    assert.deepEqual(parseTilePath('tile/0/x001/x234/067'), { kind: 'hashes', level: 0, index: 1234067, width: 256 });
    assert.deepEqual(parseTilePath('tile/63/x001/000.p/255'), { kind: 'hashes', level: 63, index: 1000, width: 255 });
    assert.deepEqual(parseTilePath('tile/entries/x001/x234/067.p/8'), { kind: 'entries', index: 1234067, width: 8 });
    for (const n of [0, 1, 999, 1000, 1001, 999999, 1000000, 2 ** 40 + 7]) {
      for (const width of [1, 17, 255, 256]) {
        const t: TileRef = { level: 3, index: n, width };
        assert.deepEqual(parseTilePath(tilePath(t)), { kind: 'hashes', ...t });
      }
    }
  });

  it('rejects sumdb-style paths, which carry the tile height', () => {
    for (const { path } of V.sumdbTilePaths_NOT_C2SP) rejects(() => parseTilePath(path), 'TLOG_TILE_PATH_INVALID');
  });

  const bad = [
    'tile/01/000', 'tile/64/000', 'tile/-1/000', 'tile/0/00', 'tile/0/0000', 'tile/0/x001', 'tile/0/001/000',
    'tile/0/x000/001', 'tile/0/x001/x000', 'tile/0/000.p/0', 'tile/0/000.p/256', 'tile/0/000.p/08', 'tile/0/000.p/',
    'tile/0/000.p', 'tile/0/000.q/5', 'tile/entries', 'tile/entries/', 'tile/data/000', 'tiles/0/000', '/tile/0/000',
    'tile/0/000/', 'tile/0/abc', 'tile/0/x1/000', 'tile//000', 'tile/entries/000.p/1/000',
  ];
  for (const p of bad) it(`rejects ${p}`, () => rejects(() => parseTilePath(p), 'TLOG_TILE_PATH_INVALID'));

  it('refuses to write out-of-range tiles', () => {
    rejects(() => tilePath({ level: 64, index: 0, width: 256 }), 'TLOG_RANGE');
    rejects(() => tilePath({ level: 0, index: -1, width: 256 }), 'TLOG_RANGE');
    rejects(() => tilePath({ level: 0, index: 0, width: 0 }), 'TLOG_RANGE');
    rejects(() => entriesPath(0, 257), 'TLOG_RANGE');
  });
});

describe('tiles of a tree', () => {
  it('matches the spec example: a tree of 70,000 entries', () => {
    assert.deepEqual(tileLevelsForSize(70000), V.c2spTreeOf70000);
  });

  it('a tree of 256 has one full level-0 tile and a level-1 tile of width 1; the empty tree has none', () => {
    assert.deepEqual(tileLevelsForSize(256), [
      { level: 0, fullTiles: 1, partialWidth: 0 },
      { level: 1, fullTiles: 0, partialWidth: 1 },
    ]);
    assert.deepEqual(tileLevelsForSize(0), []);
  });

  it('tilesToPublish lists exactly the tiles that appear or change when the tree grows', () => {
    const tilesAt = (size: number): Map<string, number> => {
      const m = new Map<string, number>();
      for (const l of tileLevelsForSize(size)) {
        for (let n = 0; n < l.fullTiles; n++) m.set(`${l.level}/${n}`, 256);
        if (l.partialWidth > 0) m.set(`${l.level}/${l.fullTiles}`, l.partialWidth);
      }
      return m;
    };
    const pairs: [number, number][] = [[0, 1], [0, 70000], [255, 256], [256, 257], [65535, 65536], [1000, 1000], [70000, 140001], [3, 600]];
    for (const [a, b] of pairs) {
      const before = tilesAt(a);
      const expected = [...tilesAt(b)].filter(([k, w]) => before.get(k) !== w).map(([k, w]) => `${k}:${w}`).sort();
      const got = tilesToPublish(a, b).map((t) => `${t.level}/${t.index}:${t.width}`).sort();
      assert.deepEqual(got, expected, `${a} -> ${b}`);
    }
    rejects(() => tilesToPublish(5, 4), 'TLOG_RANGE');
  });

  it('tile hashes are the tree nodes at level 8·L', () => {
    const leaves = Array.from({ length: 600 }, (_, i) => leafHash(Buffer.from(`e${i}`)));
    const get = memoryNodes(leaves);
    const l0 = tileNodes({ level: 0, index: 1, width: 256 }).map((n) => get(n.level, n.index));
    assert.deepEqual(l0, leaves.slice(256, 512));
    const l1 = tileNodes({ level: 1, index: 0, width: 2 }).map((n) => get(n.level, n.index));
    assert.deepEqual(l1, [subtreeRoot(leaves, 0, 256), subtreeRoot(leaves, 256, 512)]);
  });
});

describe('tile contents', () => {
  const hashes = Array.from({ length: 5 }, (_, i) => leafHash(Buffer.from([i])));

  it('hash tiles are the hashes concatenated', () => {
    const t = encodeHashTile(hashes);
    assert.equal(t.length, 160);
    assert.deepEqual(decodeHashTile(t, 5), hashes);
    rejects(() => decodeHashTile(t, 6), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeHashTile(t.subarray(1), 5), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeHashTile(t), 'TLOG_TILE_MALFORMED');
    rejects(() => encodeHashTile([]), 'TLOG_RANGE');
    rejects(() => encodeHashTile([Buffer.alloc(31)]), 'TLOG_RANGE');
  });

  it('entry bundles prefix each entry with a big-endian uint16 length', () => {
    const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 7)];
    const b = encodeEntryBundle(entries);
    assert.deepEqual([...b.subarray(0, 3)], [0, 1, 0x61]);
    assert.deepEqual([...b.subarray(3, 5)], [0, 0]);
    assert.deepEqual([...b.subarray(5, 7)], [0x01, 0x2c]);
    assert.deepEqual(decodeEntryBundle(b, 3), entries);
    assert.deepEqual(decodeEntryBundle(encodeEntryBundle([Buffer.alloc(0xffff)]), 1)[0]?.length, 0xffff);
  });

  it('rejects truncated, padded and miscounted bundles and oversized entries', () => {
    const b = encodeEntryBundle([Buffer.from('abc'), Buffer.from('de')]);
    rejects(() => decodeEntryBundle(b.subarray(0, b.length - 1), 2), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeEntryBundle(b.subarray(0, 6), 2), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeEntryBundle(Buffer.concat([b, Buffer.from([0])]), 2), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeEntryBundle(b, 3), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeEntryBundle(b, 1), 'TLOG_TILE_MALFORMED');
    rejects(() => decodeEntryBundle(Buffer.alloc(0), 1), 'TLOG_TILE_MALFORMED');
    rejects(() => encodeEntryBundle([Buffer.alloc(0x10000)]), 'TLOG_RANGE');
    rejects(() => encodeEntryBundle(Array.from({ length: 257 }, () => Buffer.alloc(1))), 'TLOG_RANGE');
  });
});

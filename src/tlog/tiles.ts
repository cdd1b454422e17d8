/**
 * C2SP tlog-tiles: resource paths, tile and entry-bundle contents, and which tiles a tree has.
 *
 * A tile at level L, index N holds up to 256 hashes: hash i is the Merkle node at tree level 8·L,
 * index N·256 + i (a level-0 tile holds leaf hashes). The rightmost tile of a level is partial
 * (`.p/<W>`, 1 ≤ W ≤ 255) while the tree size is not a multiple of 256^(L+1).
 */
import { isIndex, parseDecimal } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError } from './errors.js';
import { HASH_SIZE, type NodeId } from './merkle.js';

/** Levels of the Merkle tree one tile spans. */
export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile. */
export const TILE_WIDTH = 256;
/** Largest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_ENTRY_SIZE = 0xffff;

/** One tile: `level` is the tile level (not the tree level); `width` 256 means full. */
export interface TileRef {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** A parsed `tile/...` path: a hash tile or an entry bundle. */
export type TilePath =
  | { readonly kind: 'hashes'; readonly level: number; readonly index: number; readonly width: number }
  | { readonly kind: 'entries'; readonly index: number; readonly width: number };

function checkTile(level: number, index: number, width: number): void {
  if (!isIndex(level) || level > 63) throw new LogError(C.RANGE, `tile level must be 0–63, got ${String(level)}`);
  if (!isIndex(index)) throw new LogError(C.RANGE, `tile index must be a non-negative safe integer, got ${String(index)}`);
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new LogError(C.RANGE, `tile width must be 1–256, got ${String(width)}`);
}

/** Encodes a tile index as zero-padded 3-digit path elements, all but the last prefixed by 'x'. */
export function encodeTileIndex(index: number): string {
  if (!isIndex(index)) throw new LogError(C.RANGE, `tile index must be a non-negative safe integer, got ${String(index)}`);
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
    n = Math.floor(n / 1000);
  }
  return out;
}

const suffix = (width: number): string => (width === TILE_WIDTH ? '' : `.p/${width}`);

/** `tile/<L>/<N>[.p/<W>]` for a hash tile. */
export function tilePath(tile: TileRef): string {
  checkTile(tile.level, tile.index, tile.width);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${suffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]` for an entry bundle. */
export function entriesPath(index: number, width: number = TILE_WIDTH): string {
  checkTile(0, index, width);
  return `tile/entries/${encodeTileIndex(index)}${suffix(width)}`;
}

function badPath(path: string, why: string): LogError {
  return new LogError(C.TILE_PATH_INVALID, `tile path ${JSON.stringify(path.slice(0, 200))} is invalid: ${why}`);
}

/** Parses a canonical `tile/...` path (no prefix, no leading slash); throws TLOG_TILE_PATH_INVALID. */
export function parseTilePath(path: string): TilePath {
  const parts = path.split('/');
  if (parts.length < 3 || parts.length > 12 || parts[0] !== 'tile') throw badPath(path, 'expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
  const levelText = parts[1] as string;
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const penultimate = rest[rest.length - 2];
  if (penultimate !== undefined && penultimate.endsWith('.p')) {
    const w = parseDecimal(rest[rest.length - 1] as string);
    if (typeof w !== 'number' || w < 1 || w >= TILE_WIDTH) throw badPath(path, 'partial width must be 1–255 without leading zeroes');
    width = w;
    rest = [...rest.slice(0, -2), penultimate.slice(0, -2)];
  }
  let index = 0;
  rest.forEach((el, i) => {
    const last = i === rest.length - 1;
    const m = (last ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(el);
    if (!m) throw badPath(path, `index element ${JSON.stringify(el)} must be ${last ? '3 digits' : "'x' and 3 digits"}`);
    index = index * 1000 + Number(m[1]);
  });
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== rest.join('/')) {
    throw badPath(path, 'index is not in canonical form (no leading x000 elements)');
  }
  if (levelText === 'entries') return { kind: 'entries', index, width };
  const level = parseDecimal(levelText);
  if (typeof level !== 'number' || level > 63) throw badPath(path, 'level must be 0–63 without leading zeroes');
  return { kind: 'hashes', level, index, width };
}

/** Per tile level: how many full tiles a tree has and the width of its partial tile (0 if none). */
export interface TileLevel {
  readonly level: number;
  readonly fullTiles: number;
  readonly partialWidth: number;
}

/** The tiles of a tree of `size` leaves, level by level (C2SP tlog-tiles §Partial Tiles). */
export function tileLevelsForSize(size: number): TileLevel[] {
  if (!isIndex(size)) throw new LogError(C.RANGE, `tree size must be a non-negative safe integer, got ${String(size)}`);
  const out: TileLevel[] = [];
  // At tile level l the tree has floor(size / 256^l) hashes: full tiles of 256, then the rest.
  for (let level = 0, hashes = size; hashes > 0; level++, hashes = Math.floor(hashes / TILE_WIDTH)) {
    out.push({ level, fullTiles: Math.floor(hashes / TILE_WIDTH), partialWidth: hashes % TILE_WIDTH });
  }
  return out;
}

/**
 * The tiles (full or partial, as they are at `newSize`) that differ between a tree of `oldSize`
 * and one of `newSize`: what a log writes when it grows. Entry bundles match the level-0 tiles.
 */
export function tilesToPublish(oldSize: number, newSize: number): TileRef[] {
  if (!isIndex(oldSize) || !isIndex(newSize) || oldSize > newSize) {
    throw new LogError(C.RANGE, `tree sizes must satisfy 0 ≤ old ≤ new, got ${String(oldSize)} and ${String(newSize)}`);
  }
  const out: TileRef[] = [];
  for (let level = 0, oldH = oldSize, newH = newSize; newH > 0; level++) {
    for (let n = Math.floor(oldH / TILE_WIDTH); n * TILE_WIDTH < newH; n++) {
      const wNew = Math.min(TILE_WIDTH, newH - n * TILE_WIDTH);
      const wOld = Math.max(0, Math.min(TILE_WIDTH, oldH - n * TILE_WIDTH));
      if (wNew > wOld) out.push({ level, index: n, width: wNew });
    }
    oldH = Math.floor(oldH / TILE_WIDTH);
    newH = Math.floor(newH / TILE_WIDTH);
  }
  return out;
}

/** The Merkle nodes whose hashes make up a tile, in order. */
export function tileNodes(tile: TileRef): NodeId[] {
  checkTile(tile.level, tile.index, tile.width);
  const base = tile.index * TILE_WIDTH;
  return Array.from({ length: tile.width }, (_, i) => ({ level: tile.level * TILE_HEIGHT, index: base + i }));
}

/** Tile contents: the hashes concatenated. */
export function encodeHashTile(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH) throw new LogError(C.RANGE, `a tile holds 1–256 hashes, got ${hashes.length}`);
  for (const h of hashes) if (h.length !== HASH_SIZE) throw new LogError(C.RANGE, `tile hashes must be ${HASH_SIZE} bytes, got ${h.length}`);
  return Buffer.concat(hashes);
}

/** Splits tile bytes into hashes; throws TLOG_TILE_MALFORMED unless there are exactly `width` of them. */
export function decodeHashTile(data: Uint8Array, width: number = TILE_WIDTH): Buffer[] {
  if (data.length !== width * HASH_SIZE) {
    throw new LogError(C.TILE_MALFORMED, `tile is ${data.length} bytes; a tile of width ${width} is ${width * HASH_SIZE} bytes`);
  }
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  return Array.from({ length: width }, (_, i) => Buffer.from(buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
}

/** Entry bundle: each entry prefixed by its big-endian uint16 length. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length < 1 || entries.length > TILE_WIDTH) throw new LogError(C.RANGE, `an entry bundle holds 1–256 entries, got ${entries.length}`);
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) throw new LogError(C.RANGE, `log entry is ${e.length} bytes; entries are at most ${MAX_ENTRY_SIZE} bytes`);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e));
  }
  return Buffer.concat(parts);
}

/** Splits an entry bundle; throws TLOG_TILE_MALFORMED on truncation, trailing bytes or a wrong entry count. */
export function decodeEntryBundle(data: Uint8Array, width: number = TILE_WIDTH): Buffer[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (out.length === width) throw new LogError(C.TILE_MALFORMED, `entry bundle holds more than the expected ${width} entries`);
    if (at + 2 > buf.length) throw new LogError(C.TILE_MALFORMED, `entry bundle is truncated inside the length of entry ${out.length}`);
    const len = buf.readUInt16BE(at);
    if (at + 2 + len > buf.length) throw new LogError(C.TILE_MALFORMED, `entry bundle is truncated inside entry ${out.length} (${len} bytes announced)`);
    out.push(Buffer.from(buf.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  if (out.length !== width) throw new LogError(C.TILE_MALFORMED, `entry bundle holds ${out.length} entries, expected ${width}`);
  return out;
}

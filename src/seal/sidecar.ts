/**
 * Record sidecar: the ordered record digests of a sealed delivery, whose RFC 9162 root must equal
 * the signed `recordRoot`, and whose SHA-256 is signed in the predicate (`sidecar.sha256`).
 *
 * Format `provenant-sidecar/v1` (file `records.sidecar`). Binary; integers are unsigned big-endian.
 *
 *     header    8 bytes   "PVSC" 0x00 0x00 0x00 0x01            magic + version 1
 *     then one section per delivered file, in delivery order (POSIX path, bytewise):
 *       tag       1 byte    0x46 ('F')
 *       pathLen   u16       length of the path in bytes (1..4096)
 *       path      pathLen   the file's relative POSIX path, UTF-8
 *       posKind   1 byte    1 = positions are 1-based lines, 2 = 1-based data rows
 *       n         u64       number of records in the file (≤ 2^53 − 1)
 *       digests   n × 32    SHA-256 of the RFC 8785 canonical JSON of each record, in file order
 *       positions n × u32   line or row where each record starts, in file order
 *     then exactly one end section, followed by end of file:
 *       tag       1 byte    0x45 ('E')
 *       files     u32       number of file sections
 *       records   u64       total number of records
 *       root      32 bytes  delivery-wide recordRoot (RFC 9162 over all digests above, in order)
 *       idLen     u16       length of the delivery id in bytes
 *       id        idLen     the delivery id, UTF-8
 *
 * It is written as a stream: a file section's records arrive in batches (addRecords) and, since
 * the section's record count comes first, are held in memory up to SPOOL_MEMORY bytes and spooled
 * to a temporary file beside the sidecar beyond that; so sealing holds O(1) memory per record
 * whatever the file size. Sections let verify name the file and
 * index of every changed record, and the positions give the line or row of a deleted record in
 * the sealed file. The end section names the delivery, so a statement swapped in from another
 * delivery is told apart from an edited sidecar.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { MerkleAccumulator } from '../core/index.js';
import { SealError } from './errors.js';

export const SIDECAR_NAME = 'records.sidecar';
const MAGIC = Buffer.from([0x50, 0x56, 0x53, 0x43, 0, 0, 0, 1]);
const TAG_FILE = 0x46;
const TAG_END = 0x45;

export interface SidecarFile {
  readonly path: string;
  readonly positionKind: 'line' | 'row';
  /** n × 32 bytes. */
  readonly digests: Buffer;
  readonly positions: Uint32Array;
}

export interface Sidecar {
  readonly files: readonly SidecarFile[];
  readonly records: number;
  /** Lowercase hex, as stored in the end section (not recomputed). */
  readonly recordRoot: string;
  readonly deliveryId: string;
}

/** Bytes of digests and positions a file section keeps in memory before spooling to disk. */
const SPOOL_MEMORY = 8 << 20;

export interface SidecarWriterOptions {
  /**
   * Recompute the delivery recordRoot from the digests written and check it in finish() (default
   * true). sealDelivery turns it off: its root is merged from the same digests by the records
   * layer, and verify recomputes it from the sidecar anyway; the check costs two SHA-256 calls
   * per record on the main thread.
   */
  readonly checkRoot?: boolean;
  /** Bytes of one file section held in memory before spooling to disk (default 8 MiB). */
  readonly spoolMemory?: number;
}

interface OpenSection {
  readonly path: string;
  readonly positionKind: 'line' | 'row';
  count: number;
  /** In-memory part (before any spooling). */
  digestParts: Buffer[];
  positionParts: Buffer[];
  memory: number;
  spooled: boolean;
}

/** Streams a sidecar to disk while hashing it. */
export class SidecarWriter {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private files = 0;
  private records = 0;
  private readonly acc: MerkleAccumulator | undefined;
  private section: OpenSection | undefined;
  private spoolDigests: FileHandle | undefined;
  private spoolPositions: FileHandle | undefined;
  private spoolSize = 0;
  private readonly spoolMemory: number;

  private constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    options: SidecarWriterOptions,
  ) {
    this.acc = options.checkRoot === false ? undefined : new MerkleAccumulator();
    this.spoolMemory = options.spoolMemory ?? SPOOL_MEMORY;
  }

  /** Creates `path` (must not exist) and writes the header. */
  static async create(path: string, options: SidecarWriterOptions = {}): Promise<SidecarWriter> {
    const fh = await open(path, 'wx', 0o644);
    const w = new SidecarWriter(fh, path, options);
    await w.write(MAGIC);
    return w;
  }

  private async write(buf: Uint8Array): Promise<void> {
    this.hash.update(buf);
    this.size += buf.length;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
  }

  /** Appends one whole file section. */
  async addFile(path: string, positionKind: 'line' | 'row', digests: Buffer, positions: Uint32Array): Promise<void> {
    const n = digests.length / 32;
    if (!Number.isInteger(n) || positions.length !== n) throw new Error(`sidecar: ${path}: ${positions.length} positions for ${digests.length} digest bytes`);
    this.beginFile(path, positionKind);
    await this.addRecords(digests, positions);
    await this.endFile();
  }

  /** Opens a file section; its records follow with addRecords, then endFile. */
  beginFile(path: string, positionKind: 'line' | 'row'): void {
    if (this.section) throw new Error(`sidecar: ${path} begun while ${this.section.path} is open`);
    this.section = { path, positionKind, count: 0, digestParts: [], positionParts: [], memory: 0, spooled: false };
  }

  /** Appends records (n × 32 digest bytes, n positions) to the open file section. */
  async addRecords(digests: Uint8Array, positions: Uint32Array): Promise<void> {
    const sec = this.section;
    if (!sec) throw new Error('sidecar: addRecords without beginFile');
    const n = digests.length / 32;
    if (!Number.isInteger(n) || positions.length !== n) throw new Error(`sidecar: ${sec.path}: ${positions.length} positions for ${digests.length} digest bytes`);
    const pos = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) pos.writeUInt32BE(positions[i] as number, i * 4);
    if (this.acc) for (let i = 0; i < n; i++) this.acc.push(digests.subarray(i * 32, i * 32 + 32));
    sec.count += n;
    if (!sec.spooled && sec.memory + n * 36 <= this.spoolMemory) {
      sec.digestParts.push(Buffer.from(digests));
      sec.positionParts.push(pos);
      sec.memory += n * 36;
      return;
    }
    if (!sec.spooled) {
      // Too large to hold: move what is held to the spool files and continue there.
      sec.spooled = true;
      this.spoolSize = 0;
      this.spoolDigests ??= await open(`${this.path}.spool-digests`, 'w+', 0o600);
      this.spoolPositions ??= await open(`${this.path}.spool-positions`, 'w+', 0o600);
      await this.spoolAppend(Buffer.concat(sec.digestParts), Buffer.concat(sec.positionParts));
      sec.digestParts = [];
      sec.positionParts = [];
      sec.memory = 0;
    }
    await this.spoolAppend(digests, pos);
  }

  private async spoolAppend(digests: Uint8Array, positions: Uint8Array): Promise<void> {
    const n = digests.length / 32;
    await writeAt(this.spoolDigests as FileHandle, digests, this.spoolSize * 32);
    await writeAt(this.spoolPositions as FileHandle, positions, this.spoolSize * 4);
    this.spoolSize += n;
  }

  /** Writes the open file section: header, digests, positions. */
  async endFile(): Promise<void> {
    const sec = this.section;
    if (!sec) throw new Error('sidecar: endFile without beginFile');
    const p = Buffer.from(sec.path, 'utf8');
    const head = Buffer.alloc(1 + 2 + p.length + 1 + 8);
    let o = head.writeUInt8(TAG_FILE, 0);
    o = head.writeUInt16BE(p.length, o);
    o += p.copy(head, o);
    o = head.writeUInt8(sec.positionKind === 'line' ? 1 : 2, o);
    head.writeBigUInt64BE(BigInt(sec.count), o);
    await this.write(head);
    if (!sec.spooled) {
      for (const d of sec.digestParts) await this.write(d);
      for (const q of sec.positionParts) await this.write(q);
    } else {
      await this.copySpool(this.spoolDigests as FileHandle, sec.count * 32);
      await this.copySpool(this.spoolPositions as FileHandle, sec.count * 4);
    }
    this.section = undefined;
    this.files++;
    this.records += sec.count;
  }

  private async copySpool(fh: FileHandle, bytes: number): Promise<void> {
    const buf = Buffer.allocUnsafe(Math.min(bytes, 1 << 20));
    for (let off = 0; off < bytes; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, bytes - off), off);
      if (bytesRead === 0) throw new Error('sidecar: spool file ended early');
      await this.write(buf.subarray(0, bytesRead));
      off += bytesRead;
    }
  }

  private async dropSpool(): Promise<void> {
    for (const fh of [this.spoolDigests, this.spoolPositions]) await fh?.close().catch(() => undefined);
    this.spoolDigests = undefined;
    this.spoolPositions = undefined;
    await rm(`${this.path}.spool-digests`, { force: true });
    await rm(`${this.path}.spool-positions`, { force: true });
  }

  /** Writes the end section, syncs and closes; returns size, sha256 and the root written. */
  async finish(deliveryId: string, recordRoot: string): Promise<{ size: number; sha256: string; recordRoot: string }> {
    if (this.section) throw new Error(`sidecar: ${this.section.path} was not ended`);
    await this.dropSpool();
    if (this.acc) {
      const computed = this.acc.root().toString('hex');
      if (computed !== recordRoot) throw new Error(`sidecar: computed root ${computed} differs from ${recordRoot}`);
    }
    const id = Buffer.from(deliveryId, 'utf8');
    const end = Buffer.alloc(1 + 4 + 8 + 32 + 2 + id.length);
    let o = end.writeUInt8(TAG_END, 0);
    o = end.writeUInt32BE(this.files, o);
    o = end.writeBigUInt64BE(BigInt(this.records), o);
    o += Buffer.from(recordRoot, 'hex').copy(end, o);
    o = end.writeUInt16BE(id.length, o);
    id.copy(end, o);
    await this.write(end);
    await this.fh.sync();
    await this.fh.close();
    return { size: this.size, sha256: this.hash.digest('hex'), recordRoot };
  }

  /** Closes without finishing (on failure; the caller removes the temp dir). */
  async abort(): Promise<void> {
    await this.dropSpool().catch(() => undefined);
    await this.fh.close().catch(() => undefined);
  }
}

async function writeAt(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    off += bytesWritten;
  }
}

function malformed(msg: string, file: string): SealError {
  return new SealError('SEAL_SIDECAR_MALFORMED', `${file} is not a valid record sidecar: ${msg}; re-seal the delivery or ask the vendor for the original seal`, {
    kind: 'verification',
    location: { file },
  });
}

/** Parses sidecar bytes (attacker-controlled); SEAL_SIDECAR_MALFORMED on any structural problem. */
export function parseSidecar(buf: Buffer, file = SIDECAR_NAME): Sidecar {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('bad magic or unsupported version', file);
  let o = MAGIC.length;
  const need = (n: number, what: string): void => {
    if (o + n > buf.length) throw malformed(`truncated in ${what} at byte ${o}`, file);
  };
  const files: SidecarFile[] = [];
  let total = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (;;) {
    need(1, 'section tag');
    const tag = buf.readUInt8(o++);
    if (tag === TAG_FILE) {
      need(2, 'path length');
      const len = buf.readUInt16BE(o);
      o += 2;
      if (len === 0 || len > 4096) throw malformed(`path length ${len} out of range`, file);
      need(len, 'path');
      let path: string;
      try {
        path = decoder.decode(buf.subarray(o, o + len));
      } catch {
        throw malformed('path is not UTF-8', file);
      }
      o += len;
      need(1 + 8, 'record count');
      const kind = buf.readUInt8(o++);
      if (kind !== 1 && kind !== 2) throw malformed(`unknown position kind ${kind} for ${path}`, file);
      const nBig = buf.readBigUInt64BE(o);
      o += 8;
      // Checked before multiplying so a forged count cannot overflow or allocate.
      if (nBig > BigInt(Math.floor((buf.length - o) / 36))) throw malformed(`record count ${nBig} of ${path} exceeds the file`, file);
      const n = Number(nBig);
      const digests = buf.subarray(o, o + n * 32);
      o += n * 32;
      const positions = new Uint32Array(n);
      for (let i = 0; i < n; i++) positions[i] = buf.readUInt32BE(o + i * 4);
      o += n * 4;
      files.push({ path, positionKind: kind === 1 ? 'line' : 'row', digests, positions });
      total += n;
    } else if (tag === TAG_END) {
      need(4 + 8 + 32 + 2, 'end section');
      const nFiles = buf.readUInt32BE(o);
      const nRecords = buf.readBigUInt64BE(o + 4);
      const root = buf.subarray(o + 12, o + 44).toString('hex');
      const idLen = buf.readUInt16BE(o + 44);
      o += 46;
      need(idLen, 'delivery id');
      let deliveryId: string;
      try {
        deliveryId = decoder.decode(buf.subarray(o, o + idLen));
      } catch {
        throw malformed('delivery id is not UTF-8', file);
      }
      o += idLen;
      if (o !== buf.length) throw malformed(`${buf.length - o} bytes after the end section`, file);
      if (nFiles !== files.length) throw malformed(`end section counts ${nFiles} files, found ${files.length}`, file);
      if (nRecords !== BigInt(total)) throw malformed(`end section counts ${nRecords} records, found ${total}`, file);
      return { files, records: total, recordRoot: root, deliveryId };
    } else {
      throw malformed(`unknown section tag 0x${tag.toString(16)} at byte ${o - 1}`, file);
    }
  }
}

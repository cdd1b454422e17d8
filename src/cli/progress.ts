/**
 * Progress on long work: a single redrawn stderr line (records/s, bytes, ETA) when stderr is a TTY,
 * nothing at all when piped, so logs and --json consumers stay clean.
 */
export interface ProgressEvent {
  readonly bytes?: number;
  readonly totalBytes?: number;
  readonly records?: number;
  readonly file?: string;
}

export interface Progress {
  update(e: ProgressEvent): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, env: NodeJS.ProcessEnv = process.env): Progress {
  const enabled = stream.isTTY === true && env['CI'] === undefined && env['PROVENANT_NO_PROGRESS'] === undefined;
  if (!enabled) return { update() {}, done() {} };
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(e) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max((now - start) / 1000, 0.001);
      const parts = [label];
      if (e.records !== undefined) parts.push(`${e.records.toLocaleString('en-US')} records (${Math.round(e.records / secs).toLocaleString('en-US')}/s)`);
      if (e.bytes !== undefined) {
        parts.push(`${formatBytes(e.bytes)}${e.totalBytes ? ` / ${formatBytes(e.totalBytes)}` : ''} (${formatBytes(e.bytes / secs)}/s)`);
        if (e.totalBytes && e.bytes > 0) parts.push(`ETA ${Math.max(0, Math.round((secs * (e.totalBytes - e.bytes)) / e.bytes))}s`);
      }
      if (e.file !== undefined) parts.push(e.file);
      stream.write(`\r\x1b[2K${parts.join(' · ')}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/**
 * Benchmark helpers: every figure is printed next to a baseline measured in the same run, as a
 * ratio, because the machine is shared and noisy. Inputs are built from ../shared/data.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (bench scripts run from build/bench/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared beside the repository; PROVENANT_SHARED overrides. */
export function sharedDir(): string {
  const dir = process.env['PROVENANT_SHARED'] ?? resolve(REPO, '..', 'shared');
  if (!existsSync(dir)) throw new Error(`shared data not found at ${dir}; set PROVENANT_SHARED`);
  return dir;
}

export interface Timed {
  readonly ms: number;
  /** Peak resident set size in bytes, when measured. */
  readonly maxRss?: number;
  readonly stdout: string;
}

/**
 * Runs a command to completion under GNU time (when present) to get its wall time and peak RSS.
 */
export async function timeCommand(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return timeProcess(cmd, args, env);
}

/** Times an in-process async function. */
export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Prints an aligned table. */
export function table(rows: ReadonlyArray<readonly (string | number)[]>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export interface TimedProcess extends Timed {
  /** CPU time of the child in user and kernel mode (ms), from GNU time; undefined without it. */
  readonly userMs?: number;
  readonly sysMs?: number;
}

/**
 * Like timeCommand, and also reports the child's user and system CPU time (GNU time %U %S),
 * a steadier signal than wall time on a loaded machine.
 */
export async function timeProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedProcess> {
  const useTime = existsSync('/usr/bin/time');
  const argv = useTime ? ['-f', '__TIMES=%U %S %M', cmd, ...args] : [...args];
  const bin = useTime ? '/usr/bin/time' : cmd;
  const start = process.hrtime.bigint();
  const child = spawn(bin, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code: number = await new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (c) => res(c ?? -1));
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const m = /__TIMES=([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (!m) return { ms, stdout };
  return { ms, userMs: Number(m[1]) * 1000, sysMs: Number(m[2]) * 1000, maxRss: Number(m[3]) * 1024, stdout };
}

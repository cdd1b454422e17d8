/** Test helpers for dist (not part of the public surface): in-process CLI runs and report comparison. */
import { Writable } from 'node:stream';
import { runCli } from '../cli/main.js';
import type { InspectReport } from '../inspect/index.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in-process with captured output. */
export async function runProvenant(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const sink = (): { stream: Writable; text: () => string } => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(c: Buffer | string, _e, cb) {
        chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
        cb();
      },
    });
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = sink();
  const err = sink();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: { PROVENANT_NO_PROGRESS: '1', ...env }, cwd });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A report without its timing fields (startedAt, finishedAt, per-detector ms), as canonical JSON text. */
export function untimed(report: InspectReport): string {
  const { startedAt: _s, finishedAt: _f, detectors, ...rest } = report;
  return JSON.stringify({ ...rest, detectors: detectors.map((d) => ({ ...d, ms: 0 })) });
}

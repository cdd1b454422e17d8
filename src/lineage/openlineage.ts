/**
 * Import of OpenLineage RunEvents (https://openlineage.io/spec, RunEvent: eventType, eventTime,
 * run.runId, job.namespace/name, inputs[] and outputs[] of {namespace, name}). One event per line
 * (JSON lines). Parsing is strict: every problem names its line, and nothing is stored unless the
 * whole file parses.
 *
 * Mapping: run.runId is the run; an input or output dataset in namespace `datasetNamespace`
 * (default 'provenant') is the Provenant dataset of that name (registered by lineage derive),
 * another namespace gives a declared dataset named `namespace/name`; an output in
 * `modelNamespace` (default 'model') is a model. START sets the run's start, COMPLETE/FAIL/ABORT
 * its end; events of one run are merged.
 */
import { parseStrictJson, ProvenantError } from '../core/index.js';
import { LineageError } from './errors.js';
import type { LineageStore, NodeRef } from './types.js';
import { checkName, parseTime } from './validate.js';

const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
/** Longest line accepted: a RunEvent with facets is kilobytes, not megabytes. */
const MAX_LINE = 1 << 20;
const MAX_EVENTS = 1_000_000;

export interface OpenLineageOptions {
  readonly file: string;
  readonly datasetNamespace?: string;
  readonly modelNamespace?: string;
}

/** One run, merged from its events. */
export interface ImportedRun {
  readonly id: string;
  readonly job: string;
  readonly inputs: NodeRef[];
  readonly outputs: NodeRef[];
  start?: string;
  end?: string;
  readonly lines: number[];
}

function fail(file: string, line: number, msg: string, cause?: unknown): LineageError {
  return new LineageError('LINEAGE_OPENLINEAGE_INVALID', `${msg}; fix the event or re-export it`, { location: { file, line }, ...(cause !== undefined ? { cause } : {}) });
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Parses RunEvent JSON lines into merged runs; LINEAGE_OPENLINEAGE_INVALID naming the line on any problem. */
export function parseOpenLineage(text: string, options: OpenLineageOptions): ImportedRun[] {
  const { file } = options;
  const dsNs = options.datasetNamespace ?? 'provenant';
  const modelNs = options.modelNamespace ?? 'model';
  const runs = new Map<string, ImportedRun>();
  const lines = text.split('\n');
  let events = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (t.trim() === '') return;
    if (t.length > MAX_LINE) throw fail(file, line, `line is longer than ${MAX_LINE} characters`);
    if (++events > MAX_EVENTS) throw fail(file, line, `more than ${MAX_EVENTS} events; split the file`);
    let v: unknown;
    try {
      v = parseStrictJson(t, { location: { file, line } });
    } catch (err) {
      throw fail(file, line, `not JSON (${err instanceof ProvenantError ? err.code : 'syntax'})`, err);
    }
    const ev = obj(v);
    if (!ev) throw fail(file, line, 'a RunEvent must be a JSON object');
    const type = ev['eventType'];
    if (type !== undefined && !(EVENT_TYPES as readonly unknown[]).includes(type)) throw fail(file, line, `eventType must be one of ${EVENT_TYPES.join(', ')}`);
    let time: string;
    try {
      time = parseTime(ev['eventTime'], 'eventTime');
    } catch (err) {
      throw fail(file, line, 'eventTime must be an RFC 3339 time', err);
    }
    const run = obj(ev['run']);
    const runId = run?.['runId'];
    if (typeof runId !== 'string' || runId === '') throw fail(file, line, 'run.runId must be a non-empty string');
    const job = obj(ev['job']);
    if (!job || typeof job['namespace'] !== 'string' || typeof job['name'] !== 'string') throw fail(file, line, 'job must have string namespace and name');
    const ref = (x: unknown, where: string, output: boolean): NodeRef => {
      const d = obj(x);
      const ns = d?.['namespace'];
      const name = d?.['name'];
      if (typeof ns !== 'string' || typeof name !== 'string' || ns === '' || name === '') throw fail(file, line, `${where} must have non-empty string namespace and name`);
      try {
        if (output && ns === modelNs) return { kind: 'model', name: checkName(name, `${where}.name`) };
        return { kind: 'dataset', name: checkName(ns === dsNs ? name : `${ns}/${name}`, `${where}.name`) };
      } catch (err) {
        throw fail(file, line, `${where}: ${(err as Error).message}`, err);
      }
    };
    const list = (key: 'inputs' | 'outputs'): NodeRef[] => {
      const a = ev[key];
      if (a === undefined) return [];
      if (!Array.isArray(a)) throw fail(file, line, `${key} must be an array`);
      return a.map((x, j) => ref(x, `${key}[${j}]`, key === 'outputs'));
    };
    const inputs = list('inputs');
    const outputs = list('outputs');
    let id: string;
    try {
      id = checkName(runId, 'run.runId');
    } catch (err) {
      throw fail(file, line, (err as Error).message, err);
    }
    const jobName = `${job['namespace']}/${job['name']}`;
    let r = runs.get(id);
    if (!r) {
      r = { id, job: jobName, inputs: [], outputs: [], lines: [] };
      runs.set(id, r);
    } else if (r.job !== jobName) throw fail(file, line, `run ${id} was given for job ${r.job} on line ${r.lines[0]}, here for ${jobName}`);
    r.lines.push(line);
    const add = (into: NodeRef[], refs: NodeRef[]) => {
      for (const x of refs) if (!into.some((y) => y.kind === x.kind && y.name === x.name)) into.push(x);
    };
    add(r.inputs, inputs);
    add(r.outputs, outputs);
    if (type === 'START') {
      if (r.start !== undefined && r.start !== time) throw fail(file, line, `run ${id} has two START events`);
      r.start = time;
    } else if (type === 'COMPLETE' || type === 'FAIL' || type === 'ABORT') {
      if (r.end !== undefined && r.end !== time) throw fail(file, line, `run ${id} ends twice`);
      r.end = time;
    }
  });
  if (runs.size === 0) throw new LineageError('LINEAGE_EMPTY_INPUT', `${file} holds no RunEvents`, { location: { file } });
  for (const r of runs.values()) {
    if (r.start !== undefined && r.end !== undefined && r.end < r.start) throw fail(file, r.lines[r.lines.length - 1] ?? 1, `run ${r.id} ends before it starts`);
  }
  return [...runs.values()];
}

/** Parses and stores every run of an OpenLineage file (all or nothing per run; parse errors store nothing). */
export async function importOpenLineage(store: LineageStore, text: string, options: OpenLineageOptions): Promise<{ runs: number; inserted: number; models: string[]; datasets: string[] }> {
  const runs = parseOpenLineage(text, options);
  await store.syncDeliveries();
  let inserted = 0;
  const models = new Set<string>();
  const datasets = new Set<string>();
  for (const r of runs) {
    for (const x of [...r.inputs, ...r.outputs]) (x.kind === 'model' ? models : datasets).add(x.name);
    const res = await store.putRun({
      id: r.id,
      inputs: r.inputs,
      outputs: r.outputs,
      ...(r.start !== undefined ? { start: r.start } : {}),
      ...(r.end !== undefined ? { end: r.end } : {}),
      meta: { job: r.job, source: 'openlineage' },
      declareMissing: true,
    });
    if (res.inserted) inserted++;
  }
  return { runs: runs.length, inserted, models: [...models].sort(), datasets: [...datasets].sort() };
}

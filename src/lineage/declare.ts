/** Declared lineage: training runs, fine-tunes and deployments, checked before they are stored. */
import { LineageError } from './errors.js';
import type { LineageStore, NodeRef, Selector } from './types.js';
import { checkName, parseTime, parseWindow } from './validate.js';

export interface RunInput {
  readonly id: string;
  readonly datasets?: readonly string[];
  readonly deliveries?: readonly string[];
  readonly outputs: readonly string[];
  readonly start?: string;
  readonly end?: string;
}

/** Registers (or completes) a training run: input datasets/deliveries → output models. */
export async function registerRun(store: LineageStore, r: RunInput): Promise<{ inserted: boolean; id: string }> {
  const id = checkName(r.id, 'run id');
  const inputs: NodeRef[] = [
    ...(r.datasets ?? []).map((n) => ({ kind: 'dataset' as const, name: checkName(n, 'input dataset') })),
    ...(r.deliveries ?? []).map((n) => ({ kind: 'delivery' as const, name: checkName(n, 'input delivery') })),
  ];
  if (inputs.length === 0) throw new LineageError('LINEAGE_INVALID_ARGUMENT', `run ${JSON.stringify(id)} needs at least one input (--dataset NAME or --delivery ID)`);
  if (r.outputs.length === 0) throw new LineageError('LINEAGE_INVALID_ARGUMENT', `run ${JSON.stringify(id)} needs an output model (--output NAME)`);
  const outputs = r.outputs.map((n) => ({ kind: 'model' as const, name: checkName(n, 'output model') }));
  const w = parseWindow(r.start, r.end, `run ${id}`);
  await store.syncDeliveries();
  const res = await store.putRun({ id, inputs, outputs, ...(w.from !== undefined ? { start: w.from } : {}), ...(w.to !== undefined ? { end: w.to } : {}) });
  return { inserted: res.inserted, id };
}

/** Registers a model, optionally as a fine-tune of `base`. */
export async function registerModel(store: LineageStore, m: { readonly name: string; readonly base?: string }): Promise<{ inserted: boolean }> {
  const name = checkName(m.name, 'model name');
  const base = m.base === undefined ? undefined : checkName(m.base, 'base model');
  return store.putModel({ name, ...(base !== undefined ? { base } : {}) });
}

/** Registers a deployment of a model to an environment from `from` (until `to`, open when absent). */
export async function registerDeployment(
  store: LineageStore,
  d: { readonly model: string; readonly env: string; readonly from: string; readonly to?: string; readonly name?: string },
): Promise<{ inserted: boolean; name: string }> {
  const model = checkName(d.model, 'model');
  const env = checkName(d.env, 'environment');
  const from = parseTime(d.from, 'deployment start');
  const w = parseWindow(from, d.to, 'deployment');
  const name = d.name === undefined ? undefined : checkName(d.name, 'deployment name');
  return store.putDeployment({ model, env, from, ...(w.to !== undefined ? { to: w.to } : {}), ...(name !== undefined ? { name } : {}) });
}

/** Records an incident about a vendor (in a window), a key, an annotator or a delivery. */
export async function addIncident(
  store: LineageStore,
  i: { readonly id: string; readonly selector: Selector; readonly reportedAt?: Date; readonly description?: string },
): Promise<{ inserted: boolean }> {
  const id = checkName(i.id, 'incident id');
  if (i.selector.kind === 'incident') throw new LineageError('LINEAGE_SELECTOR_INVALID', 'an incident is about a vendor, key, annotator or delivery, not another incident');
  if (i.description !== undefined && i.description.length > 4096) throw new LineageError('LINEAGE_INVALID_ARGUMENT', 'incident description is longer than 4096 characters');
  return store.putIncident({ id, selector: i.selector, reportedAt: (i.reportedAt ?? new Date()).toISOString(), ...(i.description !== undefined ? { description: i.description } : {}) });
}

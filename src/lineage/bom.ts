/**
 * AI-BOM export of a model: the model, its base-model chain, the datasets and deliveries it was
 * trained on (through its runs and its bases), with record roots, seal digests and vendors.
 *
 * CycloneDX 1.6 (https://cyclonedx.org/docs/1.6/json/): the model is a `machine-learning-model`
 * component whose modelCard.modelParameters.datasets reference `data` components; deliveries are
 * `data` components supplied by their vendor; the graph is in `dependencies`.
 * SPDX 3.0.1 (https://spdx.github.io/spdx-spec/v3.0.1/): JSON-LD with the AI profile (ai_AIPackage)
 * and Dataset profile (dataset_DatasetPackage); `trainedOn`, `descendantOf` and `ancestorOf`
 * relationships. Record roots are not hashes of a file, so they travel as properties (CycloneDX)
 * and external identifiers (SPDX), never as `hashes`/`verifiedUsing`.
 */
import { createHash } from 'node:crypto';
import { TOOL_NAME, VERSION } from '../core/index.js';
import { LineageError } from './errors.js';
import type { DatasetFacts, LineageStore } from './types.js';
import { checkName } from './validate.js';

export const BOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type BomFormat = (typeof BOM_FORMATS)[number];

/** The delivery facts a BOM needs (the Store's getDelivery provides them). */
export interface BomDeliveryLookup {
  getDelivery(id: string): Promise<
    | { readonly id: string; readonly vendor: string; readonly client: string; readonly keyId: string; readonly sealedAt: string; readonly recordRoot: string; readonly recordSetRoot: string; readonly recordCount: number; readonly envelopeSha256: string }
    | undefined
  >;
}

interface BomData {
  readonly model: string;
  readonly bases: readonly string[];
  readonly runs: readonly { readonly id: string; readonly model: string; readonly inputs: readonly { kind: string; name: string }[] }[];
  readonly datasets: readonly (DatasetFacts | { readonly name: string; readonly declaredOnly: true })[];
  readonly deliveries: readonly NonNullable<Awaited<ReturnType<BomDeliveryLookup['getDelivery']>>>[];
}

async function collect(store: LineageStore & BomDeliveryLookup, model: string): Promise<BomData> {
  const name = checkName(model, 'model');
  if (!(await store.getNode({ kind: 'model', name }))) throw new LineageError('LINEAGE_NOT_FOUND', `model ${JSON.stringify(name)} is not registered; declare it with lineage run or lineage model`);
  await store.syncDeliveries();
  const bases = (await store.modelAncestors([name])).get(name) ?? [];
  const chain = [name, ...bases];
  const runsOf = await store.producingRuns(chain);
  const runs = chain.flatMap((m) => (runsOf.get(m) ?? []).map((r) => ({ id: r.id, model: m, inputs: r.inputs })));
  const inputs = (await store.modelVendorRecords([name])).get(name);
  const datasets: BomData['datasets'][number][] = [];
  const deliveryIds = new Set(inputs?.deliveries ?? []);
  for (const d of inputs?.datasets ?? []) {
    const f = await store.getDataset(d);
    if (f) {
      datasets.push(f);
      for (const x of f.deliveries) deliveryIds.add(x.deliveryId);
    } else datasets.push({ name: d, declaredOnly: true });
  }
  const deliveries: BomData['deliveries'][number][] = [];
  for (const id of [...deliveryIds].sort()) {
    const d = await store.getDelivery(id);
    if (d) deliveries.push(d);
  }
  return { model: name, bases, runs, datasets, deliveries };
}

/** A UUID (RFC 9562 §5.8 layout, version 8) derived from the BOM content, so exports are reproducible. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const ref = (kind: string, name: string) => `${kind}:${name}`;
const prop = (name: string, value: string | number) => ({ name: `provenant:${name}`, value: String(value) });

/** Builds the BOM of `model` in the given format. `now` fixes the timestamp. */
export async function exportBom(store: LineageStore & BomDeliveryLookup, model: string, format: string, options: { readonly now?: Date } = {}): Promise<Record<string, unknown>> {
  if (!(BOM_FORMATS as readonly string[]).includes(format)) throw new LineageError('LINEAGE_FORMAT_UNSUPPORTED', `--format must be one of ${BOM_FORMATS.join(', ')}, not ${JSON.stringify(format.slice(0, 40))}`);
  const data = await collect(store, model);
  const now = (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return format === 'cyclonedx' ? cyclonedx(data, now) : spdx(data, now);
}

function directDatasets(data: BomData, model: string): string[] {
  return [...new Set(data.runs.filter((r) => r.model === model).flatMap((r) => r.inputs.filter((i) => i.kind === 'dataset' || i.kind === 'delivery').map((i) => ref(i.kind, i.name))))].sort();
}

function cyclonedx(data: BomData, now: string): Record<string, unknown> {
  const models = [data.model, ...data.bases];
  const modelComponent = (m: string) => {
    const ds = directDatasets(data, m);
    return {
      type: 'machine-learning-model',
      'bom-ref': ref('model', m),
      name: m,
      ...(ds.length ? { modelCard: { modelParameters: { datasets: ds.map((r) => ({ ref: r })) } } } : {}),
      properties: data.runs.filter((r) => r.model === m).map((r) => prop('run', r.id)),
    };
  };
  const datasetComponent = (d: BomData['datasets'][number]) =>
    'declaredOnly' in d
      ? { type: 'data', 'bom-ref': ref('dataset', d.name), name: d.name, data: [{ type: 'dataset', name: d.name }], properties: [prop('origin', 'declared')] }
      : {
          type: 'data',
          'bom-ref': ref('dataset', d.name),
          name: d.name,
          data: [{ type: 'dataset', name: d.name, ...(d.path !== undefined ? { contents: { url: `file://${d.path}` } } : {}) }],
          properties: [
            prop('recordRoot', d.recordRoot),
            prop('recordSetRoot', d.recordSetRoot),
            prop('records', d.recordCount),
            prop('matchedRecords', d.matchedCount),
            ...d.deliveries.map((x) => prop(`records-from:${x.deliveryId}`, x.count)),
          ],
        };
  const deliveryComponent = (d: BomData['deliveries'][number]) => ({
    type: 'data',
    'bom-ref': ref('delivery', d.id),
    name: d.id,
    supplier: { name: d.vendor },
    data: [{ type: 'dataset', name: d.id }],
    properties: [
      prop('vendor', d.vendor),
      prop('client', d.client),
      prop('recordRoot', d.recordRoot),
      prop('recordSetRoot', d.recordSetRoot),
      prop('records', d.recordCount),
      prop('envelopeSha256', d.envelopeSha256),
      prop('keyId', d.keyId),
      prop('sealedAt', d.sealedAt),
    ],
  });
  const [root, ...bases] = models.map(modelComponent);
  const dependencies = [
    ...models.map((m, i) => ({ ref: ref('model', m), dependsOn: [...directDatasets(data, m), ...(models[i + 1] !== undefined ? [ref('model', models[i + 1] as string)] : [])] })),
    ...data.datasets.map((d) => ({ ref: ref('dataset', d.name), dependsOn: 'declaredOnly' in d ? [] : d.deliveries.map((x) => ref('delivery', x.deliveryId)) })),
    ...data.deliveries.map((d) => ({ ref: ref('delivery', d.id), dependsOn: [] })),
  ];
  const body = {
    metadata: {
      timestamp: now,
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: VERSION }] },
      component: root,
    },
    components: [...bases, ...data.datasets.map(datasetComponent), ...data.deliveries.map(deliveryComponent)],
    dependencies,
  };
  return { bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: `urn:uuid:${uuidFrom(JSON.stringify(body))}`, version: 1, ...body };
}

function spdx(data: BomData, now: string): Record<string, unknown> {
  const ns = `urn:provenant:bom:${uuidFrom(`${data.model}\u0000${now}`)}`;
  const id = (kind: string, name: string) => `${ns}#${kind}-${encodeURIComponent(name)}`;
  const ci = '_:creationinfo';
  const agent = `${ns}#agent-provenant`;
  const graph: Record<string, unknown>[] = [
    { type: 'CreationInfo', '@id': ci, specVersion: '3.0.1', created: now, createdBy: [agent] },
    { type: 'SoftwareAgent', spdxId: agent, name: `${TOOL_NAME} ${VERSION}`, creationInfo: ci },
  ];
  const vendors = [...new Set(data.deliveries.map((d) => d.vendor))].sort();
  for (const v of vendors) graph.push({ type: 'Organization', spdxId: id('vendor', v), name: v, creationInfo: ci });
  const models = [data.model, ...data.bases];
  for (const m of models) {
    graph.push({ type: 'ai_AIPackage', spdxId: id('model', m), name: m, creationInfo: ci, software_primaryPurpose: 'model' });
  }
  for (const d of data.datasets) {
    graph.push({
      type: 'dataset_DatasetPackage',
      spdxId: id('dataset', d.name),
      name: d.name,
      creationInfo: ci,
      software_primaryPurpose: 'data',
      dataset_datasetType: ['text'],
      ...('declaredOnly' in d
        ? { comment: 'declared in lineage; records not derived' }
        : {
            dataset_datasetSize: d.recordCount,
            externalIdentifier: [
              { type: 'ExternalIdentifier', externalIdentifierType: 'other', identifier: `provenant:recordRoot:sha256:${d.recordRoot}` },
              { type: 'ExternalIdentifier', externalIdentifierType: 'other', identifier: `provenant:recordSetRoot:sha256:${d.recordSetRoot}` },
            ],
          }),
    });
  }
  for (const d of data.deliveries) {
    graph.push({
      type: 'dataset_DatasetPackage',
      spdxId: id('delivery', d.id),
      name: d.id,
      creationInfo: ci,
      software_primaryPurpose: 'data',
      dataset_datasetType: ['text'],
      dataset_datasetSize: d.recordCount,
      suppliedBy: id('vendor', d.vendor),
      releaseTime: d.sealedAt.replace(/\.\d+Z$/, 'Z'),
      externalIdentifier: [
        { type: 'ExternalIdentifier', externalIdentifierType: 'other', identifier: `provenant:recordRoot:sha256:${d.recordRoot}` },
        { type: 'ExternalIdentifier', externalIdentifierType: 'other', identifier: `provenant:envelope:sha256:${d.envelopeSha256}` },
      ],
    });
  }
  let n = 0;
  const rel = (from: string, relationshipType: string, to: string[]) => {
    if (to.length) graph.push({ type: 'Relationship', spdxId: `${ns}#rel-${++n}`, creationInfo: ci, from, relationshipType, to });
  };
  models.forEach((m, i) => {
    rel(id('model', m), 'trainedOn', directDatasets(data, m).map((r) => {
      const [kind, ...rest] = r.split(':');
      return id(kind as string, rest.join(':'));
    }));
    const base = models[i + 1];
    if (base !== undefined) rel(id('model', base), 'ancestorOf', [id('model', m)]);
  });
  for (const d of data.datasets) if (!('declaredOnly' in d)) rel(id('dataset', d.name), 'descendantOf', d.deliveries.map((x) => id('delivery', x.deliveryId)));
  const elements = graph.filter((g) => typeof g['spdxId'] === 'string').map((g) => g['spdxId'] as string);
  graph.push({
    type: 'SpdxDocument',
    spdxId: `${ns}#document`,
    name: `AI-BOM of ${data.model}`,
    creationInfo: ci,
    profileConformance: ['core', 'software', 'ai', 'dataset'],
    rootElement: [id('model', data.model)],
    element: elements,
  });
  return { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': graph };
}

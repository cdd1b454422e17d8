/** provenant verify-record: checks one record's inclusion proof against a signed seal. */
import { resolve, join } from 'node:path';
import { InputError, parseStrictJson } from '../../core/index.js';
import { BUNDLE_NAME, verifyRecordProof } from '../../seal/index.js';
import { parseJsonRecord } from '../../records/index.js';
import { optString, requireString, writeJson, type Command } from '../command.js';
import { readFlagFile } from './shared.js';

export const verifyRecord: Command = {
  name: 'verify-record',
  summary: 'check that one record belongs to a signed delivery, from a proof made by prove',
  usage: 'verify-record --proof FILE --seal DIR --key PUB (--record FILE | --record-json JSON | --digest HEX)',
  details: [
    'Verifies the bundle signature with PUB, then the record digest (SHA-256 of its RFC 8785 canonical',
    'JSON) against the proof and the proof against the signed recordRoot (RFC 9162 §2.1.3.2).',
    'Exit codes: 0 the record is in the delivery, 1 it is not (or the proof/seal is forged), 2 bad input or usage.',
  ].join('\n'),
  options: {
    proof: { type: 'string', arg: 'FILE', help: 'proof JSON written by provenant prove' },
    seal: { type: 'string', arg: 'DIR', help: 'seal directory (or its bundle.sigstore.json)' },
    key: { type: 'string', arg: 'PUB', help: "the vendor's public key" },
    record: { type: 'string', arg: 'FILE', help: 'file holding the record as one JSON value' },
    'record-json': { type: 'string', arg: 'JSON', help: 'the record as JSON text' },
    digest: { type: 'string', arg: 'HEX', help: 'the record digest instead of the record' },
  },
  maxPositionals: 0,
  async run(inv) {
    const proofPath = resolve(inv.io.cwd, requireString(inv, 'proof', this));
    const proof = parseStrictJson((await readFlagFile(proofPath, '--proof')).toString('utf8'), { location: { file: proofPath } });
    const sealArg = resolve(inv.io.cwd, requireString(inv, 'seal', this));
    const bundlePath = sealArg.endsWith('.json') ? sealArg : join(sealArg, BUNDLE_NAME);
    const bundle = await readFlagFile(bundlePath, '--seal');
    const key = await readFlagFile(resolve(inv.io.cwd, requireString(inv, 'key', this)), '--key');
    const recordFile = optString(inv, 'record');
    const recordJson = optString(inv, 'record-json');
    const digest = optString(inv, 'digest');
    const given = [recordFile, recordJson, digest].filter((x) => x !== undefined).length;
    if (given !== 1) throw new InputError('CLI_USAGE', 'give exactly one of --record, --record-json or --digest');
    let recordOpt: { record: unknown } | { recordDigest: string };
    if (digest !== undefined) recordOpt = { recordDigest: digest.toLowerCase() };
    else if (recordFile !== undefined) {
      const p = resolve(inv.io.cwd, recordFile);
      // The records layer's parser: the same strictness as seal (duplicate keys, unsafe integers).
      recordOpt = { record: parseJsonRecord((await readFlagFile(p, '--record')).toString('utf8').replace(/\r?\n$/, ''), { file: p }).value };
    } else recordOpt = { record: parseJsonRecord(recordJson as string, { file: '--record-json' }).value };
    const result = verifyRecordProof({ ...recordOpt, proof, bundle, key });
    if (inv.json) writeJson(inv.io, result);
    else if (result.ok) inv.io.stdout.write(`record ${result.index} of ${result.file} is in signed delivery ${result.deliveryId}\n`);
    else inv.io.stdout.write(`NOT PROVEN: ${result.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}\n`);
    return result.ok ? 0 : 1;
  },
};

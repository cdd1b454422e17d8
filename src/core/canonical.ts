/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Object members sorted by UTF-16 code units
 * (RFC 8785 §3.2.3), strings serialized as ECMAScript JSON.stringify does (§3.2.2.2), numbers in
 * ECMAScript Number-to-string form (§3.2.2.3). Values that I-JSON forbids are refused.
 */
import { InputError } from './errors.js';

/** Returns the canonical JSON text of `value`; throws CANONICAL_* InputError on non-JSON values. */
export function canonicalize(value: unknown): string {
  return ser(value, '$');
}

function ser(v: unknown, path: string): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new InputError('CANONICAL_NUMBER', `non-finite number at ${path}`);
      // JSON.stringify gives the ECMAScript shortest round-trip form, and "0" for -0 (RFC 8785 §3.2.2.3).
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + ser(v[i], `${path}[${i}]`);
        return s + ']';
      }
      const o = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(o).sort();
      let s = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        s += (i ? ',' : '') + JSON.stringify(k) + ':' + ser(o[k], `${path}.${k}`);
      }
      return s + '}';
    }
    default:
      throw new InputError('CANONICAL_TYPE', `value of type ${typeof v} at ${path} is not JSON`);
  }
}

/**
 * Record diff: aligns the sealed and delivered record-digest sequences of one file with Myers'
 * O((N+M)·D) greedy algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986), after
 * stripping the common prefix and suffix. A run of deletions next to a run of insertions at the
 * same spot pairs up as modifications. A file holding the same multiset of records in another
 * order is reported as a reordering, not as a diff.
 *
 * When the edit distance is so large that the exact diff would cost too much time or memory, we
 * fall back to a multiset comparison (records absent from the other side), flagged `approximate`.
 */

export interface RecordDiff {
  /** [sealed index, delivered index] pairs. */
  readonly modified: readonly (readonly [number, number])[];
  /** Delivered-file indices. */
  readonly inserted: readonly number[];
  /** Sealed-file indices. */
  readonly deleted: readonly number[];
  /** Same records, other order: first sealed index whose record differs. */
  readonly reorderedAt?: number;
  readonly approximate: boolean;
}

function digestKeys(digests: Buffer): string[] {
  const n = digests.length / 32;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = digests.toString('latin1', i * 32, i * 32 + 32);
  return out;
}

/** Diffs two n×32-byte digest sequences (sealed `a`, delivered `b`). */
export function diffDigests(a: Buffer, b: Buffer, maxWork = 5e7): RecordDiff {
  const ka = digestKeys(a);
  const kb = digestKeys(b);
  const N0 = ka.length;
  const M0 = kb.length;
  let pre = 0;
  while (pre < N0 && pre < M0 && ka[pre] === kb[pre]) pre++;
  let suf = 0;
  while (suf < N0 - pre && suf < M0 - pre && ka[N0 - 1 - suf] === kb[M0 - 1 - suf]) suf++;
  if (pre === N0 && pre === M0) return { modified: [], inserted: [], deleted: [], approximate: false };

  // Same multiset, same length: a pure permutation.
  if (N0 === M0) {
    const counts = new Map<string, number>();
    for (let i = pre; i < N0 - suf; i++) counts.set(ka[i] as string, (counts.get(ka[i] as string) ?? 0) + 1);
    let same = true;
    for (let i = pre; i < M0 - suf && same; i++) {
      const c = counts.get(kb[i] as string);
      if (!c) same = false;
      else counts.set(kb[i] as string, c - 1);
    }
    if (same) return { modified: [], inserted: [], deleted: [], reorderedAt: pre, approximate: false };
  }

  // Map the middle parts to small integers for fast comparison.
  const ids = new Map<string, number>();
  const toIds = (keys: string[], lo: number, hi: number): Int32Array => {
    const out = new Int32Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      const k = keys[i] as string;
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      out[i - lo] = id;
    }
    return out;
  };
  const A = toIds(ka, pre, N0 - suf);
  const B = toIds(kb, pre, M0 - suf);
  const N = A.length;
  const M = B.length;
  const maxD = Math.max(32, Math.min(N + M, 4000, Math.floor(maxWork / (N + M + 1))));

  const off = N + M + 1;
  const V = new Int32Array(2 * off + 1);
  V[off + 1] = 0;
  const trace: Int32Array[] = [];
  let D = -1;
  outer: for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (V[off + k - 1] as number) < (V[off + k + 1] as number)) ? (V[off + k + 1] as number) : (V[off + k - 1] as number) + 1;
      let y = x - k;
      while (x < N && y < M && A[x] === B[y]) {
        x++;
        y++;
      }
      V[off + k] = x;
      if (x >= N && y >= M) {
        trace.push(V.slice(off - d, off + d + 1));
        D = d;
        break outer;
      }
    }
    trace.push(V.slice(off - d, off + d + 1));
  }
  if (D < 0) return multisetDiff(ka, kb, pre, N0 - suf, M0 - suf);

  // Backtrack from (N, M) to (0, 0), collecting edits (and equal steps, as group separators).
  const EQ = 0;
  const DEL = 1;
  const INS = 2;
  const kinds: number[] = [];
  const where: number[] = [];
  let x = N;
  let y = M;
  for (let d = D; d > 0; d--) {
    const prev = trace[d - 1] as Int32Array; // V after round d-1, k in [-(d-1), d-1]
    const at = (k: number): number => prev[k + d - 1] as number;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      kinds.push(EQ);
      where.push(x);
    }
    kinds.push(down ? INS : DEL);
    where.push(down ? prevY : prevX);
    x = prevX;
    y = prevY;
  }
  kinds.reverse();
  where.reverse();

  // Between two equal stretches, the deletions are consecutive sealed records and the insertions
  // consecutive delivered records at the same spot: pair them up as modifications.
  const modified: [number, number][] = [];
  const inserted: number[] = [];
  const deleted: number[] = [];
  let i = 0;
  while (i < kinds.length) {
    if (kinds[i] === EQ) {
      i++;
      continue;
    }
    const dels: number[] = [];
    const ins: number[] = [];
    for (; i < kinds.length && kinds[i] !== EQ; i++) (kinds[i] === DEL ? dels : ins).push(where[i] as number);
    const pairs = Math.min(dels.length, ins.length);
    for (let p = 0; p < pairs; p++) modified.push([(dels[p] as number) + pre, (ins[p] as number) + pre]);
    for (let p = pairs; p < dels.length; p++) deleted.push((dels[p] as number) + pre);
    for (let p = pairs; p < ins.length; p++) inserted.push((ins[p] as number) + pre);
  }
  return { modified, inserted, deleted, approximate: false };
}

function multisetDiff(ka: string[], kb: string[], lo: number, hiA: number, hiB: number): RecordDiff {
  const counts = new Map<string, number>();
  for (let i = lo; i < hiB; i++) counts.set(kb[i] as string, (counts.get(kb[i] as string) ?? 0) + 1);
  const deleted: number[] = [];
  for (let i = lo; i < hiA; i++) {
    const c = counts.get(ka[i] as string);
    if (c) counts.set(ka[i] as string, c - 1);
    else deleted.push(i);
  }
  const left = new Map<string, number>();
  for (let i = lo; i < hiA; i++) left.set(ka[i] as string, (left.get(ka[i] as string) ?? 0) + 1);
  const inserted: number[] = [];
  for (let i = lo; i < hiB; i++) {
    const c = left.get(kb[i] as string);
    if (c) left.set(kb[i] as string, c - 1);
    else inserted.push(i);
  }
  return { modified: [], inserted, deleted, approximate: true };
}

/** The in-memory log store passes the LogStorage contract too (so the contract is not SQLite-shaped). */
import { createMemoryLogStorage } from './memory-storage.js';
import { runLogStorageContract } from './storage-contract.js';

runLogStorageContract('memory', async () => {
  let store: ReturnType<typeof createMemoryLogStorage> | undefined;
  return {
    // Reopening returns the same object, as if the process kept it; closing it for real ends the data.
    open: async () => {
      if (store === undefined) store = createMemoryLogStorage();
      return reopenable(store);
    },
    dispose: async () => undefined,
  };
});

function reopenable(s: ReturnType<typeof createMemoryLogStorage>): ReturnType<typeof createMemoryLogStorage> {
  let closed = false;
  return new Proxy(s, {
    get(target, prop, recv) {
      if (prop === 'close') return async () => void (closed = true);
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v === 'function') {
        return (...args: unknown[]) => (closed ? Promise.reject(Object.assign(new Error('closed'), { code: 'TLOG_CLOSED' })) : (v as (...a: unknown[]) => unknown).apply(target, args));
      }
      return v;
    },
  });
}

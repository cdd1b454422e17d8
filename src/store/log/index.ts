/** SQLite storage of the transparency log (the LogStorage contract lives in tlog/). */
export { createSqliteLogStorage, type SqliteLogStorageOptions } from './sqlite-log-storage.js';

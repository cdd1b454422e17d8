/** SQLite storage of the transparency log (the LogStorage contract lives in tlog/). */
import { join } from 'node:path';
import { LOG_DB_FILE, type OpenLogStorage } from '../../tlog/index.js';
import { createSqliteLogStorage } from './sqlite-log-storage.js';

export { createSqliteLogStorage, type SqliteLogStorageOptions } from './sqlite-log-storage.js';

/** Opens the SQLite store of a log directory (DIR/log.db). */
export const openSqliteLogDir: OpenLogStorage = (dir) => createSqliteLogStorage({ path: join(dir, LOG_DB_FILE) });

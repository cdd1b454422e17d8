/** Runs the shared Store contract against the PostgreSQL driver, one throw-away schema per test. */
import { after, test } from 'node:test';
import { runStoreContract } from '../contract.js';
import { createPostgresStore } from './index.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from './pg-fixture.js';

const found = await findTestDatabase();

if ('skip' in found) {
  test('Store contract: postgres', (t) => {
    t.skip(found.skip);
  });
} else {
  const { url } = found;
  const admin = adminPool(url);
  after(() => admin.end());
  runStoreContract('postgres', async () => {
    const schema = freshSchema();
    return {
      open: () => createPostgresStore({ url, schema, maxConnections: 3 }),
      dispose: () => dropSchema(admin, schema),
    };
  });
}

import { join } from 'node:path';
import { describe } from 'vitest';
import { tempDir } from '../helpers.js';
import { createTestDatabase, postgresMissing, postgresUrl } from '../postgres/test-database.js';
import { storeContract } from './store-contract.js';

storeContract('SQLite', async () => ({ location: join(tempDir(), 'db.sqlite'), drop: async () => {} }));

describe.skipIf(!postgresUrl)(`PostgreSQL${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`, () => {
  storeContract('PostgreSQL', async () => {
    const db = await createTestDatabase();
    return { location: db.url, drop: db.drop };
  });
});

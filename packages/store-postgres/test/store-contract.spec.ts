import { describe } from 'vitest';
import { createTestDatabase, postgresMissing, postgresUrl, storeContract } from '@cmpkit/test-utils';
import { POSTGRES_MIGRATIONS } from '../src/postgres-migrations.js';
import { openPostgresServerStore } from '../src/postgres-server-store.js';

describe.skipIf(!postgresUrl)(`PostgreSQL${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`, () => {
  storeContract('PostgreSQL', {
    database: async () => {
      const db = await createTestDatabase();
      return { location: db.url, drop: db.drop };
    },
    open: (location, clock) => openPostgresServerStore(location, clock),
    migrations: POSTGRES_MIGRATIONS,
  });
});

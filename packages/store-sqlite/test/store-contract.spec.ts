import { join } from 'node:path';
import { storeContract, tempDir } from '@cmpkit/test-utils';
import { MIGRATIONS } from '../src/migrations.js';
import { openSqliteServerStore } from '../src/server-store.js';

storeContract('SQLite', {
  database: async () => ({ location: join(tempDir(), 'db.sqlite'), drop: async () => {} }),
  open: (location, clock) => openSqliteServerStore(location, clock),
  migrations: MIGRATIONS,
});

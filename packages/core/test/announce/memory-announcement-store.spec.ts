// The memory store passes the contract every announcement store passes (SQLite and PostgreSQL
// run it in their packages); "instances" are the same object here.
import { memoryAnnouncementStore } from '@cmpkit/core';
import { announcementStoreContract } from '@cmpkit/test-utils';

announcementStoreContract('memoryAnnouncementStore', async (count) => {
  const store = memoryAnnouncementStore();
  return Array.from({ length: count }, () => store);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import { openLocalStore } from '../../src/cli/localStore.ts';
import { defaultConfig } from '../../src/config/schema.ts';

describe('openLocalStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const config = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'attune-local-store-'));
    dirs.push(dataDir);
    return defaultConfig({ dataDir });
  };

  it('starts no writer thread for a command that only reads (export), and one for a command that writes', async () => {
    const c = config();
    const writing = await openLocalStore(c);
    try {
      expect(writing.store).toBeInstanceOf(SqliteStore);
      expect((writing.store as SqliteStore).writesOnThread).toBe(true);
      await writing.store.appendEvents([{ type: 'view', userId: 'u1', itemId: 'i1', timestamp: 1 }]);
    } finally {
      await writing.close();
    }
    const reading = await openLocalStore(c, { mustExist: true, readOnly: true });
    try {
      expect((reading.store as SqliteStore).writesOnThread).toBe(false);
      // and it still reads what the other wrote
      expect(await reading.store.countEvents()).toBe(1);
    } finally {
      await reading.close();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busConfigOf, onlineConfigOf, storeConfigOf } from '../../src/adapters/configured.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer } from '../../src/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-scale-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCALE_ENV = {
  ATTUNE_STORE_KIND: 'postgres',
  ATTUNE_POSTGRES_URL: 'postgres://u:secret@db:5432/attune',
  ATTUNE_POSTGRES_SCHEMA: 'shop',
  ATTUNE_POSTGRES_POOL_SIZE: '20',
  ATTUNE_BUS_KIND: 'nats',
  ATTUNE_NATS_URL: 'nats://a:4222,nats://b:4222',
  ATTUNE_NATS_PREFIX: 'shop',
  ATTUNE_NATS_GROUP: 'trainers',
  ATTUNE_ONLINE_KIND: 'redis',
  ATTUNE_REDIS_URL: 'redis://cache:6379/1',
  ATTUNE_REDIS_PREFIX: 'shop:',
};

describe('scale-out configuration', () => {
  it('defaults to the embedded deployment: SQLite in dataDir, memory bus, memory online state, role all', () => {
    const { config } = loadConfig({ env: {}, cwd: dir });
    expect(config.role).toBe('all');
    expect(storeConfigOf(config)).toEqual({ kind: 'sqlite', path: join('./attune-data', 'attune.db'), synchronous: 'normal' });
    expect(busConfigOf(config)).toEqual({ kind: 'memory' });
    expect(onlineConfigOf(config)).toEqual({ kind: 'memory', maxHistory: 200, maxImpressions: 100, trendingHalfLifeMs: 86_400_000 });
  });

  it('reads every scale-out key from ATTUNE_* variables', () => {
    const { config } = loadConfig({ env: { ...SCALE_ENV, ATTUNE_ROLE: 'worker' }, cwd: dir });
    expect(storeConfigOf(config)).toEqual({ kind: 'postgres', url: SCALE_ENV.ATTUNE_POSTGRES_URL, schema: 'shop', poolSize: 20 });
    expect(busConfigOf(config)).toEqual({ kind: 'nats', url: SCALE_ENV.ATTUNE_NATS_URL, prefix: 'shop', group: 'trainers', maxAgeMs: 86_400_000 });
    expect(onlineConfigOf(config)).toMatchObject({ kind: 'redis', url: SCALE_ENV.ATTUNE_REDIS_URL, prefix: 'shop:', userTtlSeconds: 604_800, attributionTtlSeconds: 86_400 });
  });

  it('only the worker role joins the durable group; api nodes fan out', () => {
    expect(busConfigOf(loadConfig({ env: { ...SCALE_ENV, ATTUNE_ROLE: 'api' }, cwd: dir }).config)).not.toHaveProperty('group');
    expect(busConfigOf(loadConfig({ env: SCALE_ENV, cwd: dir }).config)).not.toHaveProperty('group');
  });

  it('a file may set the kinds and role while the environment brings the URLs', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'attune.config.yaml'), 'role: api\nstore:\n  kind: postgres\nbus:\n  kind: nats\nonline:\n  kind: redis\n');
    const { config } = loadConfig({ cwd, env: { ATTUNE_POSTGRES_URL: 'postgres://db/x', ATTUNE_NATS_URL: 'nats://n:4222', ATTUNE_REDIS_URL: 'redis://r:6379' } });
    expect(config.role).toBe('api');
    expect(config.store.postgres.url).toBe('postgres://db/x');
  });

  it('rejects incomplete or inconsistent deployments with the key to fix', () => {
    expect(() => loadConfig({ env: { ATTUNE_STORE_KIND: 'postgres' }, cwd: dir })).toThrow(/store\.postgres\.url is required/);
    expect(() => loadConfig({ env: { ATTUNE_ROLE: 'api' }, cwd: dir })).toThrow(/role 'api' needs store\.kind 'postgres'/);
    expect(() => loadConfig({ env: { ATTUNE_BUS_KIND: 'nats', ATTUNE_NATS_URL: 'nats://n:4222' }, cwd: dir })).toThrow(/needs online\.kind 'redis'/);
    expect(() => loadConfig({ env: { ATTUNE_ROLE: 'primary' }, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { ATTUNE_STORE_KIND: 'mysql' }, cwd: dir })).toThrow(/store\.kind/);
    expect(() => loadConfig({ env: { ...SCALE_ENV, ATTUNE_POSTGRES_SCHEMA: 'bad schema' }, cwd: dir })).toThrow(/store\.postgres\.schema/);
  });

  it('startServer refuses an inconsistent config before opening anything', async () => {
    await expect(startServer(defaultConfig({ role: 'worker', dataDir: dir, logLevel: 'silent' }))).rejects.toThrow(/role 'worker' needs/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cwdWith(name: string, text: string): string {
  const d = mkdtempSync(join(dir, 'cwd-'));
  writeFileSync(join(d, name), text);
  return d;
}

describe('loadConfig', () => {
  it('has documented defaults', () => {
    const { config, file } = loadConfig({ env: {}, cwd: dir });
    expect(file).toBeUndefined();
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './attune-data', logLevel: 'info', heapGrowthPercent: 200, rateLimit: { enabled: false } });
    expect(config.events.typeWeights).toMatchObject({ view: 1, cart: 3, purchase: 5 });
  });

  it('layers defaults < file < environment < flags, merging type weights with the defaults', () => {
    const cwd = cwdWith('attune.config.yaml', 'port: 9000\nlogLevel: debug\nevents:\n  typeWeights:\n    view: 2\n    share: 4\ntraining:\n  intervalSeconds: 60\n');
    const { config, file } = loadConfig({
      cwd,
      env: { ATTUNE_PORT: '9100', ATTUNE_EVENT_WEIGHTS: 'cart=7', ATTUNE_RATE_LIMIT_ENABLED: 'true' },
      flags: { port: 9200 },
    });
    expect(file).toBe(join(cwd, 'attune.config.yaml'));
    expect(config.port).toBe(9200);
    expect(config.logLevel).toBe('debug');
    expect(config.training.intervalSeconds).toBe(60);
    expect(config.rateLimit.enabled).toBe(true);
    expect(config.events.typeWeights).toMatchObject({ view: 2, share: 4, cart: 7, purchase: 5 });
  });

  it('reads JSON files and an explicit --config path', () => {
    const cwd = cwdWith('custom.json', JSON.stringify({ dataDir: '/var/lib/attune' }));
    expect(loadConfig({ cwd, env: {}, configPath: 'custom.json' }).config.dataDir).toBe('/var/lib/attune');
    expect(() => loadConfig({ cwd, env: {}, configPath: 'missing.json' })).toThrow(/does not exist/);
  });

  it('refuses unknown keys, wrong types and bad environment values, naming the source', () => {
    const typo = cwdWith('attune.config.json', JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ cwd: typo, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: typo, env: {} })).toThrow(/attune\.config\.json.*prot/);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_PORT: 'eighty' } })).toThrow(/ATTUNE_PORT/);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_PORT: '70000' } })).toThrow(/environment.*port/);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_LOG_LEVEL: 'loud' } })).toThrow(/logLevel/);
    expect(loadConfig({ cwd: dir, env: { ATTUNE_HEAP_GROWTH_PERCENT: '0' } }).config.heapGrowthPercent).toBe(0);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_HEAP_GROWTH_PERCENT: '-5' } })).toThrow(/environment.*heapGrowthPercent/);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_HEAP_GROWTH_PERCENT: '12.5' } })).toThrow(/heapGrowthPercent/);
    const badYaml = cwdWith('attune.config.yml', 'port: [');
    expect(() => loadConfig({ cwd: badYaml, env: {} })).toThrow(/not valid YAML.*line 1/);
    // Node's JSON.parse names no position: the message does
    const badJson = cwdWith('attune.config.json', '{\n  "port": 8080,\n  "dataDir": \n}\n');
    expect(() => loadConfig({ cwd: badJson, env: {} })).toThrow(/attune\.config\.json is not valid JSON: line 4, column 1: expected a value .*found "}"/);
    expect(() => loadConfig({ cwd: dir, env: { ATTUNE_EVENT_WEIGHTS: '{"view": 1,}' } })).toThrow(/ATTUNE_EVENT_WEIGHTS is not valid JSON: line 1, column 12: expected a property name/);
  });
});

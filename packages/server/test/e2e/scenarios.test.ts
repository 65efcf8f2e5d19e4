import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type AttuneConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { feedbackExtension } from '../../src/services/feedbackExtension.ts';

/**
 * Scenario definitions, stated preferences and the feedback events that become preferences,
 * over HTTP against the real server (SQLite file, port 0). No model is trained here: these
 * routes are about validation and persistence (serving with them is in personalization.test.ts).
 */
let server: RunningServer;
let config: AttuneConfig;
let dir: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  // `any`: test responses are inspected field by field
  const res = await fetch(server.url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const start = () => startServer(config, { extensions: [feedbackExtension] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-scenarios-'));
  config = defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent' });
  server = await start();
  await call('POST', '/v1/items/batch', { items: ['a', 'b', 'c'].map((id, k) => ({ id, properties: { category: k < 2 ? 'shoes' : 'hats' } })) });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scenario definitions', () => {
  it('lists the built-in scenarios', async () => {
    const { status, json } = await call('GET', '/v1/scenarios');
    expect(status).toBe(200);
    expect(json.scenarios.map((s: any) => s.name)).toEqual(['homepage', 'product-page', 'cart', 'email', 'search-rerank']);
    expect(json.scenarios.every((s: any) => s.source === 'built-in')).toBe(true);
    expect((await call('GET', '/v1/scenarios/cart')).json.scenario.retrievers[0].type).toBe('bought-together');
  });

  it('rejects a bad config with the path of the field', async () => {
    const { status, json } = await call('PUT', '/v1/scenarios/bad', { extends: 'homepage', knobs: { diversity: 2 } });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'invalid_scenario', path: '$.knobs.diversity' });
    expect(json.errors).toEqual([{ path: '$.knobs.diversity', message: 'expected a value in [0, 1], got 2' }]);
    const retriever = await call('PUT', '/v1/scenarios/bad', { retrievers: [{ type: 'collaborative' }, { type: 'telepathy' }] });
    expect(retriever.json.error.path).toBe('$.retrievers[1].type');
  });

  it('rejects a rule with a syntax error: 400 with its position and what was expected', async () => {
    const { status, json } = await call('PUT', '/v1/scenarios/bad', { extends: 'homepage', filters: ["item.category != 'c1'", 'item.price = 5'] });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'rule_syntax', path: '$.filters[1]', position: 11, length: 1, line: 1, column: 12, expected: "'==' to compare", found: "'='", rule: 'item.price = 5' });
    expect(json.error.message).toContain('line 1, column 12');
  });

  it('rejects a rule with a type error (boost and promotion rules too)', async () => {
    const boost = await call('PUT', '/v1/scenarios/bad', { boosts: [{ rule: "boost 'x' if true", weight: 1 }] });
    expect(boost.status).toBe(400);
    expect(boost.json.error).toMatchObject({ code: 'rule_type', path: '$.boosts[0].rule', position: 6, expected: 'a number (the boost factor)' });
    const promo = await call('PUT', '/v1/scenarios/bad', { promotions: [{ type: 'rule', rule: '1 + 2', share: 0.2 }] });
    expect(promo.json.error).toMatchObject({ code: 'rule_type', path: '$.promotions[0].rule', position: 0, expected: 'a condition' });
    expect((await call('GET', '/v1/scenarios/bad')).status).toBe(404);
  });

  it('saves (201, then 200), fills defaults from the base, survives a restart, deletes (204)', async () => {
    const body = { extends: 'homepage', filters: ["item.category != 'hats'"], promotions: [{ type: 'pin', itemId: 'a', slot: 0 }], caps: [{ property: 'category', max: 2 }] };
    const created = await call('PUT', '/v1/scenarios/no-hats', body);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'no-hats', source: 'custom', definition: body, scenario: { name: 'no-hats', filters: body.filters, caps: body.caps, knobs: { diversity: 0.3 } } });
    expect(created.json.scenario.description).toBeUndefined();
    expect((await call('PUT', '/v1/scenarios/no-hats', { ...body, knobs: { diversity: 0.5 } })).status).toBe(200);
    await server.close();
    server = await start();
    const got = await call('GET', '/v1/scenarios/no-hats');
    expect(got.status).toBe(200);
    expect(got.json.scenario.knobs.diversity).toBe(0.5);
    expect((await call('GET', '/v1/scenarios')).json.scenarios.map((s: any) => s.name)).toContain('no-hats');
    expect((await call('DELETE', '/v1/scenarios/no-hats')).status).toBe(204);
    expect((await call('DELETE', '/v1/scenarios/no-hats')).status).toBe(404);
    expect((await call('GET', '/v1/scenarios/no-hats')).status).toBe(404);
  });

  it('a custom scenario named like a built-in replaces it; deleting brings the built-in back', async () => {
    const put = await call('PUT', '/v1/scenarios/email', { knobs: { diversity: 0.9 } });
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ source: 'custom', overrides: true, scenario: { retrievers: [{ type: 'collaborative' }, { type: 'new-arrivals' }, { type: 'preferences' }], knobs: { diversity: 0.9, rotation: 1 } } });
    expect((await call('GET', '/v1/scenarios')).json.scenarios.filter((s: any) => s.name === 'email')).toHaveLength(1);
    expect((await call('DELETE', '/v1/scenarios/email')).status).toBe(204);
    expect((await call('GET', '/v1/scenarios/email')).json.source).toBe('built-in');
    const builtin = await call('DELETE', '/v1/scenarios/email');
    expect(builtin.status).toBe(400);
    expect(builtin.json.error.code).toBe('builtin_scenario');
  });
});

describe('names of Object.prototype members are plain names', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('%s is unknown until defined, then an ordinary custom scenario', async (name) => {
    const valid = name !== '__proto__';
    expect((await call('GET', `/v1/scenarios/${name}`)).status).toBe(valid ? 404 : 400);
    expect((await call('DELETE', `/v1/scenarios/${name}`)).status).toBe(valid ? 404 : 400);
    const put = await call('PUT', `/v1/scenarios/${name}`, { extends: 'cart' });
    expect(put.status).toBe(valid ? 201 : 400);
    if (!valid) return;
    expect(put.json).toMatchObject({ name, source: 'custom', scenario: { name } });
    expect(put.json.overrides).toBeUndefined();
    expect((await call('DELETE', `/v1/scenarios/${name}`)).status).toBe(204);
  });
});

describe('preferences and feedback events', () => {
  it('PUT /v1/users/{id}/preferences replaces the preferences and keeps the attributes', async () => {
    await call('PUT', '/v1/users/p1', { attributes: { tier: 'gold' }, preferences: { likedItems: ['a'] } });
    const put = await call('PUT', '/v1/users/p1/preferences', { likedCategories: ['shoes'], hiddenCategories: ['hats'] });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ likedCategories: ['shoes'], hiddenCategories: ['hats'] });
    const user = await call('GET', '/v1/users/p1');
    expect(user.json.attributes).toEqual({ tier: 'gold' });
    expect(user.json.preferences).toEqual({ likedCategories: ['shoes'], hiddenCategories: ['hats'] });
    expect((await call('GET', '/v1/users/p1/preferences')).json).toEqual(put.json);
    expect((await call('GET', '/v1/users/nobody/preferences')).json).toEqual({});
  });

  it('not-interested, dislike and hide-category become stated preferences that survive a restart', async () => {
    const posted = await call('POST', '/v1/events', [
      { type: 'not-interested', userId: 'p2', itemId: 'a' },
      { type: 'dislike', userId: 'p2', itemId: 'b' },
      { type: 'hide-category', userId: 'p2', itemId: 'c' },
      { type: 'hide-category', userId: 'p2', properties: { category: 'socks' } },
      { type: 'view', userId: 'p2', itemId: 'c' },
    ]);
    expect(posted.json.accepted).toBe(5);
    const expected = { dislikedItems: ['a', 'b'], hiddenCategories: ['hats', 'socks'] };
    expect((await call('GET', '/v1/users/p2')).json.preferences).toEqual(expected);
    await server.close();
    server = await start();
    const user = await call('GET', '/v1/users/p2');
    expect(user.json.preferences).toEqual(expected);
    expect(user.json.events.byType).toEqual({ 'not-interested': 1, dislike: 1, 'hide-category': 2, view: 1 });
    // the user can take it back
    await call('PUT', '/v1/users/p2/preferences', { dislikedItems: ['b'] });
    expect((await call('GET', '/v1/users/p2')).json.preferences).toEqual({ dislikedItems: ['b'] });
  });
});

describe('malformed input is a 4xx with the error shape and the path, and changes nothing', () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['PUT', '/v1/scenarios/x', null, 400, '$'],
    ['PUT', '/v1/scenarios/x', [], 400, '$'],
    ['PUT', '/v1/scenarios/x', 'homepage', 400, '$'],
    ['PUT', '/v1/scenarios/x', { filtres: [] }, 400, '$.filtres'],
    ['PUT', '/v1/scenarios/x', { name: 'y' }, 400, '$.name'],
    ['PUT', '/v1/scenarios/x', { extends: 'nowhere' }, 400, '$.extends'],
    ['PUT', '/v1/scenarios/x', { filters: 'item.price < 5' }, 400, '$.filters'],
    ['PUT', '/v1/scenarios/x', { filters: [5] }, 400, '$.filters[0]'],
    ['PUT', '/v1/scenarios/x', { filters: [''] }, 400, '$.filters[0]'],
    ['PUT', '/v1/scenarios/x', { boosts: [null] }, 400, '$.boosts[0]'],
    ['PUT', '/v1/scenarios/x', { promotions: [{ type: 'pin', itemId: 'i1', slot: -1 }] }, 400, '$.promotions[0].slot'],
    ['PUT', '/v1/scenarios/x', { promotions: [{ type: 'banner' }] }, 400, '$.promotions[0].type'],
    ['PUT', '/v1/scenarios/x', { caps: [{ property: 'category', max: 1.5 }] }, 400, '$.caps[0].max'],
    ['PUT', '/v1/scenarios/x', { knobs: { fallbacks: ['nope'] } }, 400, '$.knobs.fallbacks[0]'],
    ['PUT', '/v1/scenarios/x', { knobs: 3 }, 400, '$.knobs'],
    ['PUT', '/v1/scenarios/x', { segmentBy: 'country' }, 400, '$.segmentBy'],
    ['PUT', '/v1/scenarios/x', { excludeSeen: 'yes' }, 400, '$.excludeSeen'],
    ['PUT', '/v1/scenarios/x', { filters: ['item.price < '] }, 400, '$.filters[0]'],
    ['PUT', '/v1/scenarios/x', { filters: ["item.tags intersects 'a'"] }, 400, '$.filters[0]'],
    ['PUT', '/v1/scenarios/bad%20name', {}, 400, '$.name'],
    ['GET', '/v1/scenarios/bad%20name', undefined, 400, '$.name'],
    ['GET', '/v1/scenarios?verbose=1', undefined, 400, '$.verbose'],
    ['PUT', '/v1/users/u1/preferences', [], 400, '$'],
    ['PUT', '/v1/users/u1/preferences', { likedCategories: 'shoes' }, 400, '$.likedCategories'],
    ['PUT', '/v1/users/u1/preferences', { hiddenCategories: [1] }, 400, '$.hiddenCategories[0]'],
    ['PUT', '/v1/users/u1/preferences', { likes: [] }, 400, '$.likes'],
  ];
  it.each(cases)('%s %s %j → %i at %s', async (method, path, body, status, at) => {
    const before = [(await call('GET', '/v1/scenarios')).json, (await call('GET', '/v1/users/u1')).status];
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(typeof res.json.error.code).toBe('string');
    expect(typeof res.json.error.message).toBe('string');
    expect(res.json.error.path).toBe(at);
    expect([(await call('GET', '/v1/scenarios')).json, (await call('GET', '/v1/users/u1')).status]).toEqual(before);
  });
});

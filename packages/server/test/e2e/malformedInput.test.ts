import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

/**
 * Every kind of bad input gets its documented 4xx with the error shape and the field's JSON
 * path, and leaves the database exactly as it was.
 */
let t: TestServer;
const BODY_LIMIT = 2 * 1024 * 1024;

beforeAll(async () => {
  t = await startTestServer({ bodyLimitBytes: BODY_LIMIT });
  await t.call('PUT', '/v1/schema/items', { properties: { price: { type: 'number' }, emb: { type: 'vector', dimensions: 2 }, tags: { type: 'string-set' } } });
  await t.call('PUT', '/v1/items/a', { properties: { price: 1, emb: [1, 2], tags: ['x'] } });
  await t.call('PUT', '/v1/users/u1', { attributes: { tier: 'gold' } });
  await t.call('POST', '/v1/events', { type: 'view', userId: 'u1', itemId: 'a' });
});
afterAll(async () => {
  await t.stop();
});

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: boolean;
  contentType?: string;
  status: number;
  code?: string;
  at?: string;
  /** a part of the message */
  says?: string;
}

const event = { type: 'view', userId: 'u1', itemId: 'a' };
const tooMany = Array.from({ length: 10_001 }, () => event);

const cases: Case[] = [
  // events
  { name: 'event type of the wrong type', method: 'POST', path: '/v1/events', body: { ...event, type: 5 }, status: 400, code: 'wrong_type', at: '$.type' },
  { name: 'event without userId', method: 'POST', path: '/v1/events', body: { type: 'view', itemId: 'a' }, status: 400, code: 'missing_field', at: '$.userId' },
  { name: 'event without type', method: 'POST', path: '/v1/events', body: { userId: 'u1' }, status: 400, code: 'missing_field', at: '$.type' },
  { name: 'event with an unknown field', method: 'POST', path: '/v1/events', body: { ...event, colour: 'red' }, status: 400, code: 'unknown_field', at: '$.colour' },
  { name: 'event with a numeric user id', method: 'POST', path: '/v1/events', body: { ...event, userId: 42 }, status: 400, code: 'wrong_type', at: '$.userId' },
  { name: 'event with an empty item id', method: 'POST', path: '/v1/events', body: { ...event, itemId: '' }, status: 400, at: '$.itemId' },
  { name: 'event value not a number', method: 'POST', path: '/v1/events', body: { ...event, value: '5' }, status: 400, code: 'wrong_type', at: '$.value' },
  { name: 'event timestamp not a date', method: 'POST', path: '/v1/events', body: { ...event, timestamp: 'yesterday' }, status: 400, at: '$.timestamp' },
  { name: 'event timestamp in seconds', method: 'POST', path: '/v1/events', body: { ...event, timestamp: 1767225600 }, status: 400, at: '$.timestamp' },
  { name: 'event context nested', method: 'POST', path: '/v1/events', body: { ...event, context: { device: { os: 'x' } } }, status: 400, code: 'wrong_type', at: '$.context.device' },
  { name: 'events body is a string', method: 'POST', path: '/v1/events', body: 'view', status: 400, code: 'wrong_type', at: '$' },
  { name: 'events array where every event is bad', method: 'POST', path: '/v1/events', body: [{ ...event, type: null }, 7], status: 400, code: 'invalid_events', at: '$[0].type' },
  { name: 'more than 10,000 events', method: 'POST', path: '/v1/events', body: tooMany, status: 400, code: 'too_many_events', at: '$' },
  { name: 'bad JSON', method: 'POST', path: '/v1/events', body: '{"type": "view", "userId": ', raw: true, status: 400, code: 'invalid_json', at: '$', says: 'line 1, column 28: expected a value' },
  { name: 'bad JSON on a later line', method: 'POST', path: '/v1/events', body: '[\n  {"type": "view", "userId": "u1"},\n  {"type": "view" "userId": "u2"}\n]', raw: true, status: 400, code: 'invalid_json', at: '$', says: "line 3, column 19: expected ',' or '}' after the property value" },
  { name: 'a __proto__ key', method: 'POST', path: '/v1/events', body: '{"type": "view", "userId": "u1", "__proto__": {"admin": true}}', raw: true, status: 400, code: 'invalid_json', says: 'prototype poisoning' },
  { name: 'no body at all', method: 'POST', path: '/v1/events', status: 400, code: 'wrong_type', at: '$' },
  { name: 'empty JSON body', method: 'POST', path: '/v1/events', body: '', raw: true, status: 400, code: 'invalid_json' },
  { name: 'text/plain body', method: 'POST', path: '/v1/events', body: 'type=view', raw: true, contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'form body', method: 'POST', path: '/v1/events', body: 'type=view', raw: true, contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'body over the limit', method: 'POST', path: '/v1/events', body: `[${'"x",'.repeat(BODY_LIMIT / 4)}"x"]`, raw: true, status: 413, code: 'body_too_large' },
  // items
  { name: 'item property of the wrong type', method: 'PUT', path: '/v1/items/b', body: { properties: { price: 'cheap' } }, status: 400, code: 'wrong_type', at: '$.properties.price' },
  { name: 'item vector of the wrong size', method: 'PUT', path: '/v1/items/b', body: { properties: { emb: [1, 2, 3] } }, status: 400, at: '$.properties.emb' },
  { name: 'item string set with a number', method: 'PUT', path: '/v1/items/b', body: { properties: { tags: ['a', 3] } }, status: 400, code: 'wrong_type', at: '$.properties.tags[1]' },
  { name: 'item property of an unsupported kind', method: 'PUT', path: '/v1/items/b', body: { properties: { dims: { w: 1 } } }, status: 400, code: 'wrong_type', at: '$.properties.dims' },
  { name: 'item with an unknown field', method: 'PUT', path: '/v1/items/b', body: { properties: {}, colour: 'red' }, status: 400, code: 'unknown_field', at: '$.colour' },
  { name: 'item available not boolean', method: 'PUT', path: '/v1/items/b', body: { available: 'yes' }, status: 400, code: 'wrong_type', at: '$.available' },
  { name: 'item id too long', method: 'PUT', path: `/v1/items/${'x'.repeat(300)}`, body: {}, status: 400, at: '$.itemId' },
  // past the router's parameter limit, which answered a 414 in Fastify's shape
  { name: 'item id of 3,000 characters', method: 'PUT', path: `/v1/items/${'x'.repeat(3000)}`, body: {}, status: 400, at: '$.itemId' },
  { name: 'path with a malformed percent-escape', method: 'PUT', path: '/v1/items/%E0%A4%A', body: {}, status: 400, code: 'invalid_url' },
  { name: 'URL over the 16 KiB header limit', method: 'GET', path: `/v1/items/${'x'.repeat(20_000)}`, status: 431, code: 'headers_too_large' },
  { name: 'item body an array', method: 'PUT', path: '/v1/items/b', body: [1], status: 400, code: 'wrong_type', at: '$' },
  {
    name: 'item batch with one bad item (all or nothing)',
    method: 'POST',
    path: '/v1/items/batch',
    body: { items: [{ id: 'c', properties: { price: 2 } }, { id: 'd', properties: { price: 'x' } }] },
    status: 400,
    code: 'wrong_type',
    at: '$.items[1].properties.price',
  },
  { name: 'item batch item without id', method: 'POST', path: '/v1/items/batch', body: { items: [{ properties: {} }] }, status: 400, at: '$.items[0].id' },
  { name: 'item batch without items', method: 'POST', path: '/v1/items/batch', body: {}, status: 400, code: 'missing_field', at: '$.items' },
  { name: 'item batch over 10,000', method: 'POST', path: '/v1/items/batch', body: { items: Array.from({ length: 10_001 }, (_, i) => ({ id: `z${i}` })) }, status: 400, code: 'too_many_items', at: '$.items' },
  { name: 'schema with an unknown type', method: 'PUT', path: '/v1/schema/items', body: { properties: { x: { type: 'date' } } }, status: 400, at: '$.properties.x.type' },
  { name: 'list limit 0', method: 'GET', path: '/v1/items?limit=0', status: 400, at: '$.limit' },
  { name: 'list with a forged cursor', method: 'GET', path: '/v1/items?cursor=%%%', status: 400, code: 'invalid_cursor' },
  { name: 'unknown item', method: 'GET', path: '/v1/items/nope', status: 404, code: 'not_found' },
  { name: 'unknown route', method: 'GET', path: '/v1/nothing', status: 404, code: 'route_not_found' },
  // users
  { name: 'user attribute nested', method: 'PUT', path: '/v1/users/u2', body: { attributes: { address: { city: 'x' } } }, status: 400, code: 'wrong_type', at: '$.attributes.address' },
  { name: 'user preferences unknown key', method: 'PUT', path: '/v1/users/u2', body: { preferences: { favourite: ['a'] } }, status: 400, code: 'unknown_field', at: '$.preferences.favourite' },
  { name: 'user preferences not a list', method: 'PUT', path: '/v1/users/u2', body: { preferences: { likedItems: 'a' } }, status: 400, code: 'wrong_type', at: '$.preferences.likedItems' },
  { name: 'merge without fromUserId', method: 'POST', path: '/v1/users/u1/merge', body: {}, status: 400, code: 'missing_field', at: '$.fromUserId' },
  { name: 'merge into itself', method: 'POST', path: '/v1/users/u1/merge', body: { fromUserId: 'u1' }, status: 400, at: '$.fromUserId' },
  { name: 'unknown user', method: 'GET', path: '/v1/users/nobody', status: 404, code: 'not_found' },
  { name: 'delete unknown user', method: 'DELETE', path: '/v1/users/nobody', status: 404, code: 'not_found' },
];

async function snapshot() {
  const s = t.server.context.store;
  return {
    items: await s.countItems(),
    events: await s.countEvents(),
    users: (await s.listUsers({ limit: 1000 })).items.length,
    schema: await s.getItemSchema(),
    item: await s.getItem('a'),
  };
}

describe('malformed input', () => {
  it.each(cases)('$name → $status', async (c) => {
    const before = await snapshot();
    const opts: { raw?: boolean; contentType?: string } = {};
    if (c.raw) opts.raw = true;
    if (c.contentType) opts.contentType = c.contentType;
    const res = await t.call(c.method, c.path, c.body, opts);
    expect(res.status).toBe(c.status);
    expect(res.json, res.text).toBeTypeOf('object');
    expect(typeof res.json.error.code).toBe('string');
    expect(typeof res.json.error.message).toBe('string');
    if (c.code) expect(res.json.error.code).toBe(c.code);
    if (c.at) expect(res.json.error.path).toBe(c.at);
    if (c.says) expect(res.json.error.message).toContain(c.says);
    expect(await snapshot()).toEqual(before);
  });
});

/** Sends bytes on a fresh connection and reads until the server closes it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

describe('requests that are not valid HTTP', () => {
  it.each([
    ['a non-numeric content-length', 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}'],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
  ])('%s → 400 in the error shape, connection closed', async (_name, bytes) => {
    const before = await snapshot();
    const reply = await rawExchange(t.server.url, bytes);
    const [head, body] = reply.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/\r\nConnection: close/i);
    expect(JSON.parse(body as string).error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('not valid HTTP/1.1') });
    expect(await snapshot()).toEqual(before);
  });
});

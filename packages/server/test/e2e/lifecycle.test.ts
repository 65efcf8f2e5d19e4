import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.ts';
import { DataDirInUseError, startServer } from '../../src/server.ts';
import { startTestServer } from './harness.ts';

/** A keep-alive connection that collects what the server sends and notes when it is closed. */
function keepAlive(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve({ socket, received: () => got, closed }));
    let got = '';
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('error', reject);
  });
}

describe('slow clients', () => {
  it('a request still arriving after requestTimeoutMs gets a 408 in the error shape and its connection closed', async () => {
    const t = await startTestServer({ requestTimeoutMs: 300 });
    try {
      const conn = await keepAlive(t.server.url);
      // the headers and a few bytes of a body that never comes whole
      conn.socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type"');
      await conn.closed;
      const [head, body] = conn.received().split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(body as string).error.code).toBe('request_timeout');
      expect(await t.server.context.store.countEvents()).toBe(0);
    } finally {
      await t.stop();
    }
  }, 20_000);
});

describe('shutdown', () => {
  it('answers a request in flight when the close begins, stores its event, and does not wait out the keep-alive', async () => {
    const t = await startTestServer();
    const body = JSON.stringify({ type: 'view', userId: 'u1', itemId: 'i1', eventId: 'in-flight' });
    const conn = await keepAlive(t.server.url);
    // headers and half the body: the request is routed and waiting for the rest
    conn.socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = t.server.close();
    conn.socket.write(body.slice(10));
    // the server closes the connection after answering (Fastify's keep-alive is 72 s: without
    // reaping, neither this nor the close would finish within the test's time)
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(conn.received()).toContain('"accepted":1');
    await closing;
    // the event was committed before the database closed
    await t.restart();
    expect(await t.server.context.store.countEvents()).toBe(1);
    await t.stop();
  }, 20_000);
});

describe('data directory', () => {
  it('a second server on a data directory in use is refused, and starts once the first has closed', async () => {
    const t = await startTestServer();
    const second = defaultConfig({ port: 0, dataDir: t.dir, logLevel: 'silent' });
    await expect(startServer(second, { extensions: [] })).rejects.toThrow(DataDirInUseError);
    await expect(startServer(second, { extensions: [] })).rejects.toThrow(/attune\.db is open in another process.*pass another --data/);
    // the first is unharmed
    expect((await t.call('POST', '/v1/events', { type: 'view', userId: 'u1', itemId: 'i1' })).status).toBe(200);
    await t.server.close();
    const later = await startServer(second, { extensions: [] });
    expect(await later.context.store.countEvents()).toBe(1);
    await later.close();
    await t.stop().catch(() => {});
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

/**
 * Starts the real server (SQLite file in a temporary data dir, port 0) for API tests. Serving
 * extensions (trainer, real-time updater) are left out: these tests cover the core API and
 * should not spend the shared CPU on training.
 */
export interface TestServer {
  server: RunningServer;
  dir: string;
  call(method: string, path: string, body?: unknown, opts?: { contentType?: string; raw?: boolean }): Promise<Reply>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  // `any`: tests inspect response fields one by one
  json: any;
  text: string;
}

export async function startTestServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-e2e-'));
  const config = defaultConfig({ port: 0, logLevel: 'silent', ...overrides, dataDir: dir });
  const t: TestServer = {
    server: await startServer(config, { extensions: [] }),
    dir,
    async call(method, path, body, opts = {}) {
      const init: RequestInit = { method };
      if (body !== undefined) {
        init.body = opts.raw ? (body as string) : JSON.stringify(body);
        init.headers = { 'content-type': opts.contentType ?? 'application/json' };
      }
      const res = await fetch(t.server.url + path, init);
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    async restart() {
      await t.server.close();
      t.server = await startServer(config, { extensions: [] });
    },
    async stop() {
      await t.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A JSON reply as the tests that start their own server read it. */
export interface JsonReply {
  status: number;
  // `any`: test responses are inspected field by field
  json: any;
}

/**
 * `call` for tests that start their own server: JSON in, JSON out. The URL is read at each call
 * because the server may be started or replaced later; a body that is not JSON fails the call.
 */
export function jsonCaller(url: () => string): (method: string, path: string, body?: unknown) => Promise<JsonReply> {
  return async (method, path, body) => {
    const res = await fetch(url() + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: res.status, json: await res.json() };
  };
}

type JsonCall = (method: string, path: string, body?: unknown) => Promise<JsonReply>;

/** Polls a training job until it ends; returns its final record (succeeded or failed). */
// `any`: the job record is inspected field by field
export async function waitForTraining(call: JsonCall, jobId: string): Promise<any> {
  for (;;) {
    const job = await call('GET', `/v1/models/train/${jobId}`);
    if (job.json.status === 'succeeded' || job.json.status === 'failed') return job.json;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a training run over HTTP, waits for it, and fails the test when it is not accepted or fails. */
export async function trainOrThrow(call: JsonCall): Promise<void> {
  const started = await call('POST', '/v1/models/train');
  if (started.status !== 202) throw new Error(`training not started: ${started.status} ${JSON.stringify(started.json)}`);
  const job = await waitForTraining(call, started.json.jobId);
  if (job.status === 'failed') throw new Error(`training failed: ${JSON.stringify(job)}`);
}

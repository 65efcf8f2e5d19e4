/**
 * CPU per 1,000-event batch (or per single event) through POST /v1/events, the server in this
 * process (for --cpu-prof) and the client in a child process (autocannon, as bench:serve's),
 * so the CPU figures and the profile are the server's alone.
 * Usage: [SINGLE=1] [CONC=4] [CLIENT_PROF=DIR] [IN_PROCESS=1] [BARE=1] node --import tsx bench/ingestProfile.ts [requests]
 * HEAP_PROFILE=file writes a sampling allocation profile of the measured load (objects since
 * collected included).
 * TRAINED=1 loads ml-100k through the API and trains an item-knn model before the load, as
 * bench:serve's serving phase has one when its single-event runs come.
 * BARE=1 serves POST /v1/events from a bare Fastify that parses the body and answers a fixed
 * body (bench:serve's single-event floor), to compare its profile with Attune's request by request.
 *
 * Prints the process's CPU per request and per thread: the two busiest threads are the
 * server's thread and the SQLite writer thread. --cpu-prof writes one profile per thread (the
 * writer's samples are under SqliteWriter: inserts, the user index, commits). CLIENT_PROF=DIR
 * profiles the client process too, to line its busy and idle stretches up with the server's.
 * "over the load" is the rate over autocannon's own elapsed time (whole seconds: compare runs
 * of many requests).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAndTrain } from './serve/ml100kServer.ts';
import { threadCpu, threadCpuSince } from './serve/threadCpu.ts';

const single = process.env.SINGLE === '1';
const CONC = Number(process.env.CONC ?? (single ? 20 : 4));

/** Child mode: `amount` POSTs over CONC connections; prints autocannon's rate. */
async function client(url: string, amount: number): Promise<void> {
  // autocannon ships no type declarations; a string specifier keeps tsc from demanding them
  const name = 'autocannon';
  // `any`: only a few known fields of autocannon's result are read
  const run = (await import(name)).default as (o: Record<string, unknown>) => Promise<any>;
  const batchBody = JSON.stringify(Array.from({ length: 1000 }, (_, k) => ({ type: 'view', userId: `batch-${k % 300}`, itemId: String(1 + ((k * 7) % 1682)) })));
  let e = 0;
  const r = await run({
    url: `${url}/v1/events`,
    connections: CONC,
    amount,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: single ? JSON.stringify({ type: 'view', userId: `bench-${e % 5000}`, itemId: String(1 + (e++ % 1682)) }) : batchBody }) }],
  });
  process.stdout.write(`${JSON.stringify({ total: r.requests.total, non2xx: r.non2xx, rate: r.requests.average, elapsed: r.duration })}\n`);
}

function load(url: string, amount: number): Promise<{ total: number; non2xx: number; rate: number; elapsed: number }> {
  const proc = spawn(process.execPath, [...(process.env.CLIENT_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.CLIENT_PROF] : []), '--import', 'tsx', fileURLToPath(import.meta.url), '--client', url, String(amount)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited with ${code}`)))));
}

async function main(): Promise<void> {
  const { startServer } = await import('../packages/server/src/server.ts');
  const { defaultConfig } = await import('../packages/server/src/config/schema.ts');
  const N = Number(process.argv[2] ?? (single ? 60_000 : 600));
  const bare = process.env.BARE === '1';
  // the floor has no ingest service to call and no API to load a data set through
  if (bare && (process.env.IN_PROCESS === '1' || process.env.TRAINED === '1')) throw new Error('BARE=1 measures the HTTP floor only: it cannot be combined with IN_PROCESS=1 or TRAINED=1');
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-ingest-prof-'));
  const attune = bare ? undefined : await startServer(defaultConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'warn', training: { model: 'item-knn', afterNewEvents: 1e9, intervalSeconds: 86_400 } as never }));
  const server = attune ?? (await bareServer());
  if (process.env.TRAINED === '1') await loadAndTrain(server.url);
  try {
    if (attune && process.env.IN_PROCESS === '1') return await inProcess(attune.app.attune.ingest, N);
    await load(server.url, single ? 2000 : 30); // warm-up
    const heap = process.env.HEAP_PROFILE ? new Session() : undefined;
    if (heap) {
      heap.connect();
      await heap.post('HeapProfiler.enable');
      await heap.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
    const th0 = threadCpu();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await load(server.url, N);
    if (heap) writeFileSync(process.env.HEAP_PROFILE as string, JSON.stringify((await heap.post('HeapProfiler.stopSampling')).profile));
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const per = single ? 1 : 1000;
    console.log(`threads (CPU ms): ${threadCpuSince(th0, threadCpu())}`);
    console.log(`${r.total} ${single ? 'requests' : 'batches'} (non-2xx ${r.non2xx}): ${((c.user + c.system) / r.total).toFixed(1)} µs server CPU each (user ${(c.user / r.total).toFixed(1)}, sys ${(c.system / r.total).toFixed(1)}), ${((c.user + c.system) / r.total / per).toFixed(2)} µs per event; ${Math.round((r.total * per) / (wall / 1000))} events/s (wall, incl. the client's start); over the load ${Math.round((r.total * per) / r.elapsed)} events/s`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * IN_PROCESS=1: the ingest service called directly by CONC concurrent callers, each awaiting its
 * answer before the next event (as a keep-alive connection does), bodies parsed from JSON text
 * as the HTTP route's are: the cost of ingestion without HTTP. Three rounds, CPU per event.
 */
async function inProcess(ingest: { ingestBody(body: unknown): Promise<unknown> }, requests: number): Promise<void> {
  const perCaller = Math.ceil(requests / CONC);
  const batchText = JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ type: 'view', userId: `batch-${j % 300}`, itemId: String(1 + ((j * 7) % 1682)) })));
  let e = 0;
  const caller = async (): Promise<void> => {
    for (let k = 0; k < perCaller; k++) {
      if (single) await ingest.ingestBody(JSON.parse(`{"type":"view","userId":"bench-${e % 5000}","itemId":"${1 + (e++ % 1682)}"}`));
      else await ingest.ingestBody(JSON.parse(batchText));
    }
  };
  for (let round = 1; round <= 3; round++) {
    const th0 = threadCpu();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONC }, caller));
    const c = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    const n = perCaller * CONC * (single ? 1 : 1000);
    console.log(`round ${round}: ${((c.user + c.system) / n).toFixed(2)} µs CPU per event (sys ${(c.system / n).toFixed(2)}), ${Math.round(n / (wall / 1000))} events/s over ${Math.round(wall)} ms; threads (CPU ms): ${threadCpuSince(th0, threadCpu())}`);
  }
}

/** bench:serve's single-event floor, in this process. */
async function bareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.post('/v1/events', async () => ({ accepted: 1, duplicates: 0, rejected: [] }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, close: () => app.close() };
}

if (process.argv[2] === '--client') await client(process.argv[3] as string, Number(process.argv[4]));
else await main();

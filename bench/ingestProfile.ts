/**
 * CPU per 1,000-event batch through POST /v1/events, the server in this process (for
 * --cpu-prof). Usage: [CONC=4] node --import tsx bench/ingestProfile.ts [batches]
 *
 * The CPU figure is the whole process's: the SQLite writer thread's too (and the client's, see
 * below). --cpu-prof writes one profile per thread: the largest two are the server's thread
 * and the writer thread (its samples under SqliteWriter: inserts, indexTail, commits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { threadCpu, threadCpuSince } from './serve/threadCpu.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../packages/server/src/server.ts';
import { defaultConfig } from '../packages/server/src/config/schema.ts';

const N = Number(process.argv[2] ?? 300);
const dataDir = mkdtempSync(join(tmpdir(), 'attune-ingest-prof-'));
const server = await startServer(defaultConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'warn', training: { afterNewEvents: 1e9, intervalSeconds: 86_400 } as never }));
// SINGLE=1: one event per request (N requests) instead of 1,000-event batches
const single = process.env.SINGLE === '1';
let e = 0;
const batchBody = JSON.stringify(Array.from({ length: 1000 }, (_, k) => ({ type: 'view', userId: `batch-${k % 300}`, itemId: String(1 + ((k * 7) % 1682)) })));
const post = async (): Promise<void> => {
  const res = await fetch(`${server.url}/v1/events`, { method: 'POST', body: single ? JSON.stringify({ type: 'view', userId: `bench-${e % 5000}`, itemId: String(1 + (e++ % 1682)) }) : batchBody, headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  await res.arrayBuffer();
};
for (let k = 0; k < 30; k++) await post(); // warm-up
const th0 = threadCpu();
const c0 = process.cpuUsage();
const t0 = performance.now();
// CONC requests in flight, like bench:serve's 4 connections
const CONC = Number(process.env.CONC ?? 4);
let next = 0;
await Promise.all(Array.from({ length: CONC }, async () => {
  while (next++ < N) await post();
}));
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
// client (fetch) CPU is included: this is an upper bound for the server's share
const per = single ? 1 : 1000;
console.log(`threads (CPU ms): ${threadCpuSince(th0, threadCpu())}`);
console.log(`${N} ${single ? 'requests' : 'batches'}: ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU each (user ${(c.user / 1000 / N).toFixed(3)}, sys ${(c.system / 1000 / N).toFixed(3)}), wall ${(wall / N).toFixed(3)} ms each, ${Math.round((N * per) / (wall / 1000))} events/s`);
await server.close();
rmSync(dataDir, { recursive: true, force: true });

/**
 * Server CPU per steady-state GET /v1/users/{id}/recommendations, the server in this process
 * (so `--cpu-prof` profiles it) and the load from a child process (autocannon, 20 connections,
 * a fixed number of requests), so the figure is the server's CPU alone. ml-100k is loaded
 * through the API, an item-knn model trained, every user asked once; then ROUNDS rounds of
 * REQUESTS requests, the 943 users in turn, as bench:serve's steady state does.
 *
 * INJECT=1 sends the requests through Fastify's inject (no sockets, no client process): less
 * noise from the machine for comparing changes to the request path, but no HTTP parsing or
 * socket writes in the figure.
 * HEAP_PROFILE=file.heapprofile writes a sampling allocation profile of each measured round,
 * objects since collected included: where the garbage that paces the scavenges comes from.
 * With HEAP_LIVE=1 only objects not yet collected are kept: over a round without a full
 * collection, that is what went to the old generation (promoted or pretenured), the growth
 * that paces the mark-compacts. HEAP_PROMOTED=1 drops only what scavenges collect: what reached
 * the old generation, collected since or not, plus what was still young at a full collection
 * (the profiler's own stop runs one, so HEAP_LIVE=1 sees only what is still referenced).
 * PROFILE=file.cpuprofile writes a V8 CPU profile of the measured rounds only (not the loading,
 * training and warm-ups).
 * PACED=5000 sends each round as bench:serve's open-loop test does (uniform arrivals at that rate
 * for SECONDS seconds from a child process, latency from each request's due time) and prints the
 * tail with the server's garbage-collection pauses and event-loop delay over the round: what a
 * p99 at a fixed rate is made of.
 *
 * STALLS=1 (with PACED) also lists every stretch of over 8 ms in which the server's event loop
 * could not run a 1 ms timer, with the garbage-collection pauses that fall inside it.
 *
 * Usage: [ROUNDS=5] [REQUESTS=30000] [PACED=5000 [SECONDS=10]] [PROFILE=out.cpuprofile] [HEAP_PROFILE=out.heapprofile] node --import tsx bench/recsProfile.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { api, loadAndTrain, ml100kRatings, usersOf } from './serve/ml100kServer.ts';
import { pacedRecommendationsInChild } from './serve/pacedLoad.ts';
import { threadCpu, threadCpuSince } from './serve/threadCpu.ts';


/** Child mode: `amount` requests over 20 connections, the users in turn; prints the result. */
async function client(url: string, amount: number): Promise<void> {
  const users = usersOf(ml100kRatings());
  let u = 0;
  // autocannon ships no type declarations; a string specifier keeps tsc from demanding them
  const name = 'autocannon';
  // `any`: only a few known fields of autocannon's result are read
  const run = (await import(name)).default as (o: Record<string, unknown>) => Promise<any>;
  const r = await run({ url, connections: 20, amount, requests: [{ method: 'GET', setupRequest: (req: { path: string }) => ({ ...req, path: `/v1/users/${users[u++ % users.length]}/recommendations?n=10` }) }] });
  process.stdout.write(`${JSON.stringify({ total: r.requests.total, non2xx: r.non2xx, errors: r.errors, rate: r.requests.average })}\n`);
}


function load(url: string, amount: number): Promise<{ total: number; non2xx: number; errors: number; rate: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', url, String(amount)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited with ${code}`)))));
}

/** `amount` requests through app.inject, 20 in flight, the users in turn. */
async function injected(app: FastifyInstance, users: readonly string[], amount: number): Promise<{ total: number; non2xx: number; errors: number; rate: number }> {
  let next = 0;
  let non2xx = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < amount) {
        const res = await app.inject({ method: 'GET', url: `/v1/users/${users[next++ % users.length]}/recommendations?n=10` });
        if (res.statusCode >= 300) non2xx++;
        // inject resolves in microtasks: without a turn of the event loop, timers and immediates
        // (the recommendation log's flushes) would never run
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }),
  );
  return { total: amount, non2xx, errors: 0, rate: amount / ((performance.now() - t0) / 1000) };
}

/** `amount` calls of the service behind the route (no Fastify): forUser, then the response's JSON. */
async function serviceOnly(app: FastifyInstance, users: readonly string[], amount: number): Promise<{ total: number; non2xx: number; errors: number; rate: number }> {
  const { listJson } = await import('../packages/server/src/routes/routeOptions.ts');
  const serving = app.attune.serving;
  if (!serving) throw new Error('the server runs without serving');
  const recommender = serving.recommender;
  const t0 = performance.now();
  for (let k = 0; k < amount; k++) {
    listJson(await recommender.forUser(users[k % users.length] as string, { n: 10 }));
    if (k % 20 === 19) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { total: amount, non2xx: 0, errors: 0, rate: amount / ((performance.now() - t0) / 1000) };
}

/** One open-loop round at `rate` req/s; prints the tail, GC pauses and event-loop delay. */
async function paced(url: string, users: readonly string[], rate: number, seconds: number): Promise<{ total: number; non2xx: number; errors: number; rate: number }> {
  const pauses: { kind: number; ms: number; start: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ kind: ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0), ms: e.duration, start: e.startTime });
  });
  // STALLS=1: every stretch of over 8 ms in which a 1 ms timer could not run, with the GC pauses inside it
  const stalls: { at: number; ms: number }[] = [];
  let tick: NodeJS.Timeout | undefined;
  if (process.env.STALLS === '1') {
    let last = performance.now();
    tick = setInterval(() => {
      const now = performance.now();
      if (now - last > 9) stalls.push({ at: last, ms: now - last - 1 });
      last = now;
    }, 1);
  }
  gc.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const t0 = threadCpu();
  const r = await pacedRecommendationsInChild(url, users, rate, seconds);
  const t1 = threadCpu();
  delay.disable();
  console.log(`  threads (CPU ms over the round incl. its warm-up): ${threadCpuSince(t0, t1)}`);
  gc.disconnect();
  if (tick) {
    clearInterval(tick);
    for (const st of stalls) {
      const inside = pauses.filter((p) => p.start + p.ms > st.at && p.start < st.at + st.ms);
      const gcMs = inside.reduce((a, p) => a + p.ms, 0);
      console.log(`  stall at ${(st.at / 1000).toFixed(2)} s: ${st.ms.toFixed(1)} ms, GC inside ${gcMs.toFixed(1)} ms (${inside.map((p) => `kind ${p.kind} ${p.ms.toFixed(1)}`).join(', ') || 'none'})`);
    }
  }
  // kinds as in perf_hooks.constants: 1 minor (scavenge), 2 major, 4 incremental marking, 8 weak callbacks
  const byKind = new Map<number, number[]>();
  for (const p of pauses) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.ms]);
  const gcLine = [...byKind].map(([kind, ms]) => `kind ${kind}: ${ms.length}× total ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms max ${Math.max(...ms).toFixed(1)} ms`).join('; ');
  console.log(`  paced ${rate}/s: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p99.9 ${r.p999.toFixed(2)} max ${r.max.toFixed(1)} ms; client loop delay p99 ${r.clientDelayP99.toFixed(1)} max ${r.clientDelayMax.toFixed(1)} ms; server loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} max ${(delay.max / 1e6).toFixed(1)} ms; GC ${gcLine}`);
  return { total: r.completed, non2xx: r.non2xx, errors: 0, rate: r.rate };
}

async function main(): Promise<void> {
  const { startServer } = await import('../packages/server/src/server.ts');
  const { defaultConfig } = await import('../packages/server/src/config/schema.ts');
  const rounds = Number(process.env.ROUNDS ?? 5);
  const requests = Number(process.env.REQUESTS ?? 30_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-recs-prof-'));
  const server = await startServer(defaultConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'warn', training: { model: 'item-knn', afterNewEvents: 1e9, intervalSeconds: 86_400 } as never }));
  try {
    const users = usersOf(await loadAndTrain(server.url));
    // every user asks once before each round (not counted), as bench:serve warms before its run:
    // lists live ¾ to all of the 60 s reuse window, so a later round would count recomputations
    const warm = async (): Promise<void> => {
      for (const user of users) await api(server.url, 'GET', `/v1/users/${user}/recommendations?n=10`);
    };
    await warm();
    await load(server.url, 5_000); // JIT warm-up
    const perRequest: number[] = [];
    const profiler = process.env.PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    const heapProfiler = process.env.HEAP_PROFILE ? new Session() : undefined;
    if (heapProfiler) {
      heapProfiler.connect();
      await heapProfiler.post('HeapProfiler.enable');
    }
    for (let k = 0; k < rounds; k++) {
      await warm();
      await profiler?.post('Profiler.start');
      await heapProfiler?.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: process.env.HEAP_LIVE !== '1', includeObjectsCollectedByMinorGC: process.env.HEAP_LIVE !== '1' && process.env.HEAP_PROMOTED !== '1' });
      const c0 = process.cpuUsage();
      const r = process.env.PACED ? await paced(server.url, users, Number(process.env.PACED), Number(process.env.SECONDS ?? 10)) : process.env.SERVICE === '1' ? await serviceOnly(server.app, users, requests) : process.env.INJECT === '1' ? await injected(server.app, users, requests) : await load(server.url, requests);
      const c = process.cpuUsage(c0);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        // one file per round; the rounds' samples are what a reader wants, not the warm-ups between
        writeFileSync(`${process.env.PROFILE}.${k + 1}`, JSON.stringify(profile));
      }
      if (heapProfiler) {
        const { profile } = await heapProfiler.post('HeapProfiler.stopSampling');
        writeFileSync(`${process.env.HEAP_PROFILE}.${k + 1}`, JSON.stringify(profile));
      }
      const us = (c.user + c.system) / r.total;
      perRequest.push(us);
      console.log(`round ${k + 1}: ${r.total} requests, ${us.toFixed(1)} µs server CPU each (user ${(c.user / r.total).toFixed(1)}, sys ${(c.system / r.total).toFixed(1)}), ${Math.round(r.rate)} req/s, non-2xx ${r.non2xx}, errors ${r.errors}, heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MiB`);
    }
    const sorted = [...perRequest].sort((a, b) => a - b);
    console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} µs, min ${sorted[0]!.toFixed(1)} µs`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client') await client(process.argv[3] as string, Number(process.argv[4]));
else await main();

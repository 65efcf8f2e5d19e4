/**
 * Two source trees compared on steady-state recommendations, in one process: each tree's server
 * (ml-100k, item-knn, every user's list cached) is loaded side by side and the load goes to them
 * in alternating blocks (A B, B A, …), so whatever else the shared machine does falls on both
 * alike. Per block: main-thread CPU per request (/proc, 10 ms ticks), or the whole process's
 * with ALL=1. A baseline tree is e.g. `git archive HEAD | tar -x -C /tmp/base` with a
 * node_modules symlink to this one's.
 *
 * MODE: service (forUser plus the response's JSON, no HTTP; default), inject (Fastify's inject)
 * or http (autocannon in a child process, bench/recsProfile.ts --client). N requests per block,
 * R rounds. NOLOG=1 stubs the recommendation log's store writes in both trees.
 *
 * Usage: [MODE=service] [N=20000] [R=10] node --import tsx bench/recsCompare.ts <treeA> <treeB>
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { api, loadAndTrain, ml100kRatings, usersOf } from './serve/ml100kServer.ts';

const MODE = process.env.MODE ?? 'service';
const N = Number(process.env.N ?? 20_000);
const R = Number(process.env.R ?? 10);

interface Variant {
  root: string;
  url: string;
  app: FastifyInstance;
  listJson: (body: { recommendationId: string; items: readonly unknown[]; model: unknown }) => string;
  close(): Promise<void>;
}

const users = usersOf(ml100kRatings());

async function boot(root: string): Promise<Variant> {
  const { startServer } = await import(join(root, 'packages/server/src/server.ts'));
  const { defaultConfig } = await import(join(root, 'packages/server/src/config/schema.ts'));
  const { listJson } = await import(join(root, 'packages/server/src/routes/routeOptions.ts'));
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-compare-'));
  const server = await startServer(defaultConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'warn', training: { model: 'item-knn', afterNewEvents: 1e9, intervalSeconds: 86_400 } }));
  await loadAndTrain(server.url);
  if (process.env.NOLOG === '1') server.context.store.logShownLists = async () => {};
  return {
    root,
    url: server.url,
    app: server.app,
    listJson,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU time of this process's main thread so far, ms (Linux /proc, 100 ticks a second). */
function mainThreadMs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function httpLoad(url: string, amount: number): Promise<void> {
  const client = join(fileURLToPath(new URL('.', import.meta.url)), 'recsProfile.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', client, '--client', url, String(amount)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((done, fail) => proc.once('exit', (code) => (code === 0 ? done() : fail(new Error(`client exited with ${code}`)))));
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One block of N requests; CPU µs per request. Every user asks once first, so lists are cached. */
async function block(v: Variant): Promise<number> {
  for (const u of users) await api(v.url, 'GET', `/v1/users/${u}/recommendations?n=10`);
  const m0 = mainThreadMs();
  const c0 = process.cpuUsage();
  if (MODE === 'service') {
    const recommender = v.app.attune.serving?.recommender;
    if (!recommender) throw new Error('the server runs without serving');
    for (let k = 0; k < N; k++) {
      v.listJson(await recommender.forUser(users[k % users.length] as string, { n: 10 }));
      if (k % 20 === 19) await turn();
    }
  } else if (MODE === 'inject') {
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < N) {
          await v.app.inject({ method: 'GET', url: `/v1/users/${users[next++ % users.length]}/recommendations?n=10` });
          // inject resolves in microtasks: timers and immediates need a turn of the loop
          await turn();
        }
      }),
    );
  } else await httpLoad(v.url, N);
  const c = process.cpuUsage(c0);
  return process.env.ALL === '1' ? (c.user + c.system) / N : ((mainThreadMs() - m0) * 1000) / N;
}

const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

const variants = [await boot(resolve(process.argv[2] as string)), await boot(resolve(process.argv[3] as string))];
try {
  for (const v of variants) await block(v); // JIT warm-up, not counted
  const perRequest: number[][] = [[], []];
  for (let r = 0; r < R; r++) for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) perRequest[i]!.push(await block(variants[i] as Variant));
  for (let i = 0; i < 2; i++) console.log(`${variants[i]!.root}: median ${median(perRequest[i]!).toFixed(1)} µs per request; blocks ${perRequest[i]!.map((x) => x.toFixed(1)).join(' ')}`);
  const ratios = perRequest[0]!.map((a, k) => perRequest[1]![k]! / a);
  console.log(`B/A per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(3)}`);
} finally {
  for (const v of variants) await v.close();
}

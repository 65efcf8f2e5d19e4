import type { Command } from 'commander';
import { generateShop } from '../../demo/shopData.ts';
import { loadDemo } from '../../demo/loadDemo.ts';
import { startServer, type RunningServer } from '../../server.ts';
import { CliError } from '../cliError.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { openLocalStore } from '../localStore.ts';
import { closeOnSignal } from '../shutdown.ts';

interface DemoFlags extends ConfigFlags {
  users: string;
  items: string;
  seed: string;
  train: boolean;
}

export function registerDemo(program: Command): void {
  addConfigFlags(
    program
      .command('demo')
      .description('generate a synthetic shop (catalogue, users, events), load it, train a model and serve it')
      .option('--users <n>', 'shoppers to generate', '1000')
      .option('--items <n>', 'products to generate', '500')
      .option('--seed <n>', 'random seed (same seed, same shop)', '7')
      .option('--no-train', 'serve without training a model first'),
    { server: true },
  ).action(async (flags: DemoFlags) => {
    const users = positive(flags.users, '--users');
    const items = positive(flags.items, '--items');
    const seed = positive(flags.seed, '--seed');
    // the demo keeps its data apart from the real ./attune-data database unless told otherwise
    const { config } = configFromFlags({ ...flags, data: flags.data ?? './attune-data/demo', logLevel: flags.logLevel ?? 'warn' });
    const say = (msg: string) => process.stdout.write(`${msg}\n`);

    say(`attune demo: generating a shop with ${items} products and ${users} shoppers (seed ${seed})…`);
    const data = generateShop({ users, items, seed });
    const local = await openLocalStore(config);
    let loaded;
    try {
      loaded = await loadDemo(local.services, data);
    } finally {
      await local.close();
    }
    say(
      `loaded into ${config.dataDir}: ${loaded.items} items, ${loaded.users} users, ${loaded.events} new events` +
        (loaded.duplicates ? ` (${loaded.duplicates} were already there)` : ''),
    );

    const server = await startServer(config);
    if (flags.train) await trainModel(server, say);
    printTryLines(server.url, data.users[0]?.id ?? 'u0', data.items[1]?.id ?? 'i1', say);
    await closeOnSignal(server, say);
    say('stopped');
  });
}

function positive(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} ${raw} is not a positive integer`);
  return n;
}

/** Starts a training run through the public API and waits for it (when serving is present). */
async function trainModel(server: RunningServer, say: (m: string) => void): Promise<void> {
  const res = await fetch(`${server.url}/v1/models/train`, { method: 'POST' });
  if (res.status === 404) return; // no trainer in this build
  if (res.status !== 202) {
    say(`could not start training (${res.status}): the API still serves popular items`);
    return;
  }
  const { jobId } = (await res.json()) as { jobId: string };
  say('training a model on the demo events (the trainer compares models on a hold-out; a minute or two on a busy machine)…');
  const started = Date.now();
  let lastNote = started;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - lastNote >= 15_000) {
      lastNote = Date.now();
      say(`  still training (${Math.round((lastNote - started) / 1000)} s)…`);
    }
    const job = (await (await fetch(`${server.url}/v1/models/train/${jobId}`)).json()) as { status?: string; error?: string; version?: number; metrics?: Record<string, number> };
    if (job.status === 'succeeded') {
      say(`model trained in ${((Date.now() - started) / 1000).toFixed(1)} s${job.metrics ? ` (hold-out ${fmtMetrics(job.metrics)})` : ''}`);
      return;
    }
    if (job.status === 'failed') {
      say(`training failed: ${job.error ?? 'see the log'}; the API still serves popular items`);
      return;
    }
  }
}

function fmtMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .slice(0, 3)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(3) : String(v)}`)
    .join(', ');
}

function printTryLines(url: string, userId: string, itemId: string, say: (m: string) => void): void {
  say('');
  say(`Attune is serving the demo shop at ${url}   (API docs: ${url}/docs, Ctrl-C stops)`);
  say('');
  say('Try:');
  say(`  curl -s ${url}/v1/users/${userId}/recommendations?explain=true`);
  say(`  curl -s ${url}/v1/items/${itemId}/similar`);
  say(`  curl -s ${url}/v1/popular`);
  say(`  curl -s ${url}/v1/users/${userId}`);
  say(`  curl -s ${url}/v1/items/${itemId}`);
  say(`  curl -s -X POST ${url}/v1/events -H 'content-type: application/json' -d '{"type":"purchase","userId":"${userId}","itemId":"${itemId}"}'`);
  say(`  curl -s ${url}/metrics | grep attune_`);
  say('');
}

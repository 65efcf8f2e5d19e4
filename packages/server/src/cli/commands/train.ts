import type { Command } from 'commander';
import { MemoryOnlineState } from '../../adapters/memory/onlineState.ts';
import { busConfigOf, storeConfigOf } from '../../adapters/configured.ts';
import { createBus, createStore } from '../../adapters/factory.ts';
import { inlineRunner } from '../../jobs/runTraining.ts';
import { ModelRegistry } from '../../services/modelRegistry.ts';
import { Trainer } from '../../services/trainer.ts';
import { CliError } from '../cliError.ts';
import { parseJsonOption } from '../modelOptions.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { startProgress } from '../progress.ts';

interface TrainFlags extends ConfigFlags {
  model?: string;
  params?: string;
}

/**
 * `attune train`: one training run against a data directory without a running server. It
 * records a model version exactly as the server's trainer does (same hold-out, same swap rule),
 * so a server started afterwards serves it.
 */
export function registerTrain(program: Command): void {
  addConfigFlags(
    program
      .command('train')
      .description('train, evaluate on a temporal hold-out and record a model version (served if not worse than the current one)')
      .option('-m, --model <name>', 'model name from the registry, or auto (default: the configured training.model)')
      .option('--params <json>', 'model hyper-parameters as JSON, e.g. \'{"k":50}\''),
  ).action(async (flags: TrainFlags) => {
    const { config } = configFromFlags(flags);
    let params = config.training.params;
    if (flags.params !== undefined) params = parseJsonOption('--params', flags.params);
    const store = await createStore(storeConfigOf(config));
    try {
      if ((await store.countEvents()) === 0) throw new CliError(`no events in ${config.store.kind === 'sqlite' ? config.dataDir : 'the store'}: import some first (attune import events …)`);
      const registry = new ModelRegistry();
      await registry.loadServing(store);
      const progress = startProgress('train', 100);
      const trainer = new Trainer({
        store,
        registry,
        online: new MemoryOnlineState(),
        runner: inlineRunner(store),
        settings: {
          enabled: false,
          intervalSeconds: config.training.intervalSeconds,
          afterNewEvents: config.training.afterNewEvents,
          model: flags.model ?? config.training.model,
          params,
          typeWeights: config.events.typeWeights,
          defaultWeight: config.events.defaultWeight,
        },
      });
      const job = trainer.trigger('cli');
      const tick = setInterval(() => job.progress && progress.update(Math.round(job.progress.fraction * 100), job.progress.message), 250);
      await trainer.whenIdle();
      clearInterval(tick);
      progress.update(100, job.status);
      progress.stop();
      if (job.status === 'failed') throw new CliError(`training failed: ${job.error}`);
      if (job.promoted && job.version !== undefined && config.bus.kind === 'nats') {
        // running nodes of a scale-out deployment load the promoted version when told
        const bus = await createBus(busConfigOf(config));
        await bus.publish('models.promoted', { version: job.version }).finally(() => bus.close());
      }
      const version = (await store.listModelVersions()).find((v) => v.version === job.version);
      process.stdout.write(`${JSON.stringify({ version: job.version, promoted: job.promoted, model: version?.model, params: version?.params, metrics: job.metrics, note: job.note }, null, 2)}\n`);
    } finally {
      await store.close();
    }
  });
}

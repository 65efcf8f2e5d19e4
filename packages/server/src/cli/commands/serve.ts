import type { Command } from 'commander';
import { startServer } from '../../server.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { closeOnSignal } from '../shutdown.ts';

export function registerServe(program: Command): void {
  addConfigFlags(
    program.command('serve').description('run the REST API and background services (training, real-time updates) in one process'),
    { server: true },
  )
    .option('--role <role>', 'all (API + trainer, the default), api (serves, never trains) or worker (trainer; HTTP for health and models only)')
    .action(async (flags: ConfigFlags & { role?: string }) => {
      const { config } = configFromFlags(flags, flags.role === undefined ? {} : { role: flags.role });
      const server = await startServer(config);
      server.context.logger.info({ docs: `${server.url}/docs` }, 'API documentation');
      await closeOnSignal(server, (msg) => server.context.logger.info(msg));
      server.context.logger.info('stopped: requests finished, services stopped, database closed');
    });
}

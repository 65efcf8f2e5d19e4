import type { Command } from 'commander';
import { startServer } from '../../server.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { closeOnSignal } from '../shutdown.ts';

export function registerServe(program: Command): void {
  addConfigFlags(
    program.command('serve').description('run the REST API and background services (training, real-time updates) in one process'),
    { server: true },
  ).action(async (flags: ConfigFlags) => {
    const { config } = configFromFlags(flags);
    const server = await startServer(config);
    server.context.logger.info({ docs: `${server.url}/docs` }, 'API documentation');
    await closeOnSignal(server, (msg) => server.context.logger.info(msg));
    server.context.logger.info('stopped: requests finished, services stopped, database closed');
  });
}

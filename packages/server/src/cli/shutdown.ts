import type { RunningServer } from '../server.ts';

/**
 * Resolves once the server has shut down after SIGTERM or SIGINT: stop accepting, finish
 * in-flight requests, stop services, close the database. A second signal exits at once.
 */
export function closeOnSignal(server: RunningServer, log: (msg: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        log(`${signal} again: exiting now`);
        process.exit(130);
      }
      closing = true;
      log(`${signal}: shutting down`);
      server.close().then(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

// Boots a TypeScript worker thread. Node 20 does not apply `--import tsx` from a Worker's
// execArgv to the worker's module loader, so the worker registers tsx itself and then
// imports the real entry (workerData.entry, a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);

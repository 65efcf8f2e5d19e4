import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a TypeScript module: a one-line bootstrap registers tsx's ESM hooks
 * in the worker first (on Node 20 a worker does not inherit the `tsx` loader of its parent, nor
 * vitest's transform). Node-only: the pure core never imports this file.
 */
export function startTsWorker(url: URL, workerData: unknown, transferList: readonly ArrayBuffer[] = []): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData, transferList: [...transferList] });
  // tsx's ESM API module sits next to its loader (dist/loader.mjs → dist/esm/api/index.mjs)
  const api = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData, transferList: [...transferList] });
}

/** Request/response over a worker's message port, one outstanding call at a time per worker. */
export function call<T>(w: Worker, message: unknown, transferList: readonly ArrayBuffer[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: T): void => {
      w.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(e);
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage(message, [...transferList]);
  });
}

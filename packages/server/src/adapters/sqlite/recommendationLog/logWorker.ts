import { parentPort, workerData } from 'node:worker_threads';
import { RecommendationLogFile } from './logFile.ts';
import type { LogReply, LogRequest } from './logProtocol.ts';

/**
 * The recommendation log's writer thread: every insert, deletion and WAL checkpoint of the log
 * file happens here, in the order asked, so the serving thread never waits on that file's disk.
 * SQLite's automatic checkpoint runs right after a commit on this connection, with no other
 * writer in between, so the WAL is emptied and restarts instead of growing.
 */
const port = parentPort;
if (!port) throw new Error('logWorker.ts runs as a worker thread');
const { path } = workerData as { path: string };

let file: RecommendationLogFile;
try {
  file = new RecommendationLogFile(path);
  port.postMessage({ id: 0, ok: true } satisfies LogReply);
} catch (err) {
  port.postMessage({ id: 0, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies LogReply);
  process.exit(1);
}

port.on('message', (m: LogRequest) => {
  void handle(m).then(
    (value) => {
      port.postMessage(value === undefined ? ({ id: m.id, ok: true } satisfies LogReply) : ({ id: m.id, ok: true, value } satisfies LogReply));
      if (m.op === 'close') port.close();
    },
    (err: unknown) => port.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies LogReply),
  );
});

async function handle(m: LogRequest): Promise<number | undefined> {
  switch (m.op) {
    case 'insert':
      file.insertPacked(m.packed);
      return undefined;
    case 'delete':
      return file.delete(m.filter);
    case 'reassign':
      return file.reassign(m.fromUserId, m.toUserId);
    case 'close':
      file.close();
      return undefined;
  }
}

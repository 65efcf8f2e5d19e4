// An open-loop load at a fixed request rate, for tail latency "at N requests/s".
//
// autocannon's overallRate is a per-second budget per connection: each connection sends at full
// speed until it has made its share for that second, then idles until the next one. At 5,000 req/s
// over 50 connections that is a burst of 50 concurrent requests at the server's full speed for a
// third of every second, so its latencies measure queueing inside the burst, not a server serving
// 5,000 req/s. Here request i is due at start + i / rate (uniform arrivals, sent on 1 ms ticks)
// and its latency counts from that due time, so a stalled server is charged for every request it
// kept waiting (no coordinated omission).
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface PacedResult {
  rate: number;
  sent: number;
  completed: number;
  non2xx: number;
  /** latency from each request's due time, ms */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** the client's own event-loop delay over the recorded part, ms: a stall of the load generator shows up as server latency */
  clientDelayP99: number;
  clientDelayMax: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * One keep-alive connection answering one request at a time. Raw socket writes and a minimal
 * response parser (status line, Content-Length), as autocannon does: node:http's client costs
 * more CPU per request than the server under test, which on 2 shared cores would make the
 * client the bottleneck.
 */
class Connection {
  private buf = '';
  private onDone: ((status: number) => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.read(chunk));
    // a broken connection would leave its request unanswered forever: stop the bench loudly
    socket.on('error', (err) => {
      throw err;
    });
  }

  send(head: string, onDone: (status: number) => void): void {
    this.onDone = onDone;
    this.socket.write(head);
  }

  private read(chunk: string): void {
    this.buf += chunk;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const header = this.buf.slice(0, end);
    const m = /content-length:\s*(\d+)/i.exec(header);
    const length = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + length) return;
    this.buf = this.buf.slice(end + 4 + length);
    const status = Number(header.slice(9, 12));
    const done = this.onDone;
    this.onDone = undefined;
    done?.(status);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends GETs of `path(i)` to `base` at `rate` per second for `seconds`; waits for every answer. */
export async function pacedLoad(base: string, path: (i: number) => string, rate: number, seconds: number, connections = 64, warmupSeconds = 0): Promise<PacedResult> {
  const url = new URL(base);
  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(new Connection(socket)));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  const idle: Connection[] = await Promise.all(Array.from({ length: connections }, open));
  const all = [...idle];
  const waiting: number[] = [];
  // the first `warmupSeconds` of requests run at the same rate but are not recorded
  const skip = Math.round(rate * warmupSeconds);
  const total = skip + Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const dueAt = (i: number): number => start + (i * 1000) / rate;
  let sent = 0;
  let completed = 0;
  let non2xx = 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  if (skip === 0) delay.enable();
  else setTimeout(() => delay.enable(), warmupSeconds * 1000);
  await new Promise<void>((resolve) => {
    const fire = (conn: Connection, i: number): void => {
      conn.send(`GET ${path(i)} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`, (status) => {
        latencies[i] = performance.now() - dueAt(i);
        if (status < 200 || status >= 300) non2xx++;
        const next = waiting.shift();
        if (next !== undefined) fire(conn, next);
        else idle.push(conn);
        if (++completed === total) resolve();
      });
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) {
        const conn = idle.pop();
        // every connection busy: the request waits its turn, and its latency still counts from its due time
        if (conn) fire(conn, sent);
        else waiting.push(sent);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  delay.disable();
  for (const c of all) c.close();
  const sorted = latencies.slice(skip).sort();
  return {
    rate: (completed * 1000) / (performance.now() - start),
    sent: sent - skip,
    completed: completed - skip,
    non2xx,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    clientDelayP99: delay.percentile(99) / 1e6,
    clientDelayMax: delay.max / 1e6,
  };
}

/** the unrecorded warm-up of pacedRecommendationsInChild, s */
export const PACED_WARMUP_SECONDS = 2;

/**
 * Runs pacedLoad in a fresh child process, so the bench process's own heap (data sets,
 * autocannon's histograms) and its garbage collections cannot stall the client's schedule.
 * The child GETs /v1/users/{id}/recommendations?n=10 for `userIds` in turn, after a PACED_WARMUP_SECONDS warm-up
 * at the same rate that is not recorded (the child's JIT, the previous test's backlog).
 */
export function pacedRecommendationsInChild(base: string, userIds: readonly string[], rate: number, seconds: number): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PacedResult) : reject(new Error(`paced load child exited with ${code}`))));
    child.stdin.end(JSON.stringify({ base, userIds, rate, seconds }));
  });
}

if (process.argv[2] === '--child') {
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) input += chunk as string;
  const { base, userIds, rate, seconds } = JSON.parse(input) as { base: string; userIds: string[]; rate: number; seconds: number };
  const result = await pacedLoad(base, (i) => `/v1/users/${encodeURIComponent(userIds[i % userIds.length] as string)}/recommendations?n=10`, rate, seconds, 64, PACED_WARMUP_SECONDS);
  process.stdout.write(JSON.stringify(result));
}

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Wall-clock and process CPU seconds (all threads) at one instant. */
export interface Stamp {
  wall: number;
  cpu: number;
}

export function stamp(): Stamp {
  const c = process.cpuUsage();
  return { wall: performance.now() / 1000, cpu: (c.user + c.system) / 1e6 };
}

export function since(a: Stamp, b: Stamp = stamp()): Stamp {
  return { wall: b.wall - a.wall, cpu: b.cpu - a.cpu };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** The 1-minute load average, printed beside figures because the machine is shared. */
export function load(): string {
  return loadavg()[0]!.toFixed(1);
}

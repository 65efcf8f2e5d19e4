import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU ms of each thread of a process (Linux /proc; empty elsewhere), keyed by "tid name". Tells
 * the serving thread from the SQLite writer threads and V8's helpers, which a process-wide
 * cpuUsage lumps together.
 */
export function threadCpu(pid: number | 'self' = 'self'): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // after the name: state is field 3, utime and stime fields 14 and 15 (clock ticks, 100 per s)
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${tid} ${name}`, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

/** The threads that used at least `minMs` between two readings, busiest first, as "tid name ms". */
export function threadCpuSince(before: Map<string, number>, after: Map<string, number>, minMs = 50): string {
  return [...after]
    .map(([k, ms]) => [k, ms - (before.get(k) ?? 0)] as const)
    .filter(([, ms]) => ms >= minMs)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${ms.toFixed(0)}`)
    .join(', ');
}

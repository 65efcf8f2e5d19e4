// What the server under test saw during a load round, read from its own GET /metrics (prom-client's
// default Node.js metrics): garbage-collection pauses by kind and the event loop's longest delay.
// A round's tail is the host's, the client's or the server's; these tell the server's share apart.

export interface GcTally {
  count: number;
  /** seconds */
  sum: number;
  /** pauses longer than 10 ms (the histogram's 0.01 s bucket) */
  over10ms: number;
}

export interface ServerGauges {
  gc: Record<string, GcTally>;
  /** the event loop's longest delay since the previous scrape, ms (prom-client resets it at every collect) */
  loopDelayMax: number;
}

const sample = /^attune_nodejs_gc_duration_seconds_(count|sum|bucket)\{(?:le="([^"]+)",)?kind="([a-z]+)"\} ([0-9.e+-]+)$/;

export function parseServerGauges(text: string): ServerGauges {
  const gc: Record<string, GcTally> = {};
  let loopDelayMax = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('attune_nodejs_eventloop_lag_max_seconds ')) {
      loopDelayMax = Number(line.slice(line.indexOf(' ') + 1)) * 1000;
      continue;
    }
    const m = sample.exec(line);
    if (!m) continue;
    const [, field, le, kind, value] = m as unknown as [string, string, string | undefined, string, string];
    const t = (gc[kind] ??= { count: 0, sum: 0, over10ms: 0 });
    if (field === 'count') t.count = Number(value);
    else if (field === 'sum') t.sum = Number(value);
    // over10ms = count − (≤ 10 ms); the count line follows the buckets, so keep the bucket as a negative
    else if (le === '0.01') t.over10ms = -Number(value);
  }
  for (const t of Object.values(gc)) t.over10ms += t.count;
  return { gc, loopDelayMax };
}

export async function scrapeServerGauges(base: string): Promise<ServerGauges> {
  const res = await fetch(`${base}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
  return parseServerGauges(await res.text());
}

/** What happened between two scrapes; the loop delay is the later scrape's (it covers the interval). */
export function gaugesBetween(before: ServerGauges, after: ServerGauges): ServerGauges {
  const gc: Record<string, GcTally> = {};
  for (const [kind, a] of Object.entries(after.gc)) {
    const b = before.gc[kind] ?? { count: 0, sum: 0, over10ms: 0 };
    gc[kind] = { count: a.count - b.count, sum: a.sum - b.sum, over10ms: a.over10ms - b.over10ms };
  }
  return { gc, loopDelayMax: after.loopDelayMax };
}

/** A round in three figures: full (mark-compact) collections, pauses over 10 ms of any kind, the longest loop delay. */
export function describeRound(g: ServerGauges): { majors: number; longPauses: number; loopDelayMax: number } {
  const all = Object.values(g.gc);
  return {
    majors: g.gc.major?.count ?? 0,
    longPauses: all.reduce((a, t) => a + t.over10ms, 0),
    loopDelayMax: g.loopDelayMax,
  };
}

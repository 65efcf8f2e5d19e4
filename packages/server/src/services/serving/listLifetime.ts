/**
 * A cached list's lifetime: between ¾ of the reuse window and the whole window, from a uniform
 * draw in [0, 1). Lists computed together (a warm-up, a burst of new visitors) would otherwise
 * expire together, and recomputing thousands of users' pipelines in the same instant stalls
 * every request queued behind them.
 */
export function listLifetime(windowMs: number, draw: number): number {
  return windowMs * (0.75 + 0.25 * Math.min(Math.max(draw, 0), 1));
}

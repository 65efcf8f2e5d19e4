import { describe, expect, it } from 'vitest';
import { startProgress } from '../../src/cli/progress.ts';

function sink(isTTY = false) {
  const lines: string[] = [];
  return { isTTY, lines, write: (s: string) => lines.push(s) };
}

describe('plain progress (stderr not a terminal)', () => {
  it('prints a 10 % line only when enough time passed, and always a final line', () => {
    const s = sink();
    let t = 0;
    const p = startProgress('fit', 100, { stream: s, clock: () => t, intervalMs: 1000 });
    p.update(15); // 10 % mark but no time passed: silent
    t = 1500;
    p.update(35, 'als');
    t = 1600;
    p.update(55); // too soon after the last line
    p.update(100);
    p.stop();
    p.stop();
    expect(s.lines).toEqual(['fit: 30% (35/100) als\n', 'fit: done (100/100)\n']);
  });
});

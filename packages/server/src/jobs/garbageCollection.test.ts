import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { fullCollector } from './garbageCollection.ts';

/** A weak reference to a large array nobody holds (made in its own frame, so no local keeps it). */
function droppedArray(): WeakRef<Float64Array> {
  return new WeakRef(new Float64Array(1_000_000).fill(1));
}

describe('fullCollector', () => {
  it('collects dropped arrays when called, without leaving a global gc behind', async () => {
    const collect = fullCollector();
    const ref = droppedArray();
    // creating or dereferencing a WeakRef keeps its target alive until the current job ends;
    // booleans, so expect holds no reference
    await nextTurn();
    expect(ref.deref() !== undefined).toBe(true);
    await nextTurn();
    collect();
    expect(ref.deref() === undefined).toBe(true);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

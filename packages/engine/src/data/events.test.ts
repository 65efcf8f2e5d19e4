import { describe, expect, it } from 'vitest';
import { interactionWeight, typeWeightOf } from './events.ts';

describe('typeWeightOf', () => {
  it('ignores Object.prototype names as event types', () => {
    expect(typeWeightOf({ view: 2 }, 'constructor', 1)).toBe(1);
    expect(typeWeightOf({ view: 2 }, 'toString', 0.5)).toBe(0.5);
    expect(typeWeightOf({ view: 2 }, 'view', 1)).toBe(2);
    expect(typeWeightOf(undefined, 'view', 3)).toBe(3);
    expect(interactionWeight({ userId: 'u', itemId: 'i', type: 'constructor' }, {}, 0)).toBe(1);
  });
});

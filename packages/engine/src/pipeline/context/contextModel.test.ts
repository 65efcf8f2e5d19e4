import { describe, expect, it } from 'vitest';
import { contextAffinity, fitContextModel, requestContextKeys, type ContextEvent } from './contextModel.ts';
import { contextKeys, localTime } from './features.ts';

const HOUR = 3_600_000;
const day0 = Date.UTC(2026, 2, 2); // a Monday

describe('context features', () => {
  it('reads the hour and weekday in the user\'s time zone', () => {
    // 06:00 UTC is 15:00 in Tokyo and 01:00 in New York (EST)
    expect(localTime(day0 + 6 * HOUR, 'Asia/Tokyo')).toEqual({ hour: 15, weekday: 'mon' });
    expect(localTime(day0 + 6 * HOUR, 'America/New_York')).toEqual({ hour: 1, weekday: 'mon' });
    expect(localTime(day0 + 6 * HOUR, 'Not/AZone').hour).toBe(6);
    expect(contextKeys(day0 + 8 * HOUR, { device: 'mobile' }, ['daypart', 'weekend', 'device', 'country'])).toEqual(['daypart=morning', 'weekend=false', 'device=mobile']);
  });
});

describe('context model', () => {
  // planted: coffee sells in the morning, wine in the evening, bread all day
  const events: ContextEvent[] = [];
  for (let d = 0; d < 20; d++) {
    const base = day0 + d * 24 * HOUR;
    for (let k = 0; k < 5; k++) events.push({ itemId: 'coffee', timestamp: base + 8 * HOUR, context: { timezone: 'UTC' } });
    events.push({ itemId: 'coffee', timestamp: base + 19 * HOUR });
    for (let k = 0; k < 5; k++) events.push({ itemId: 'wine', timestamp: base + 20 * HOUR });
    events.push({ itemId: 'wine', timestamp: base + 9 * HOUR });
    for (const h of [8, 12, 15, 20]) events.push({ itemId: 'bread', timestamp: base + h * HOUR });
  }
  events.push({ itemId: 'new-espresso', timestamp: day0 + 8 * HOUR });
  const model = fitContextModel(events, { fields: ['daypart'], groupsOf: (id) => (id.includes('espresso') || id === 'coffee' ? ['hot-drinks'] : ['other']) });

  it('learns positive affinity of coffee with the morning and negative in the evening', () => {
    const morning = requestContextKeys(model, { now: day0 + 30 * 24 * HOUR + 7 * HOUR });
    const evening = requestContextKeys(model, { now: day0 + 30 * 24 * HOUR + 20 * HOUR });
    expect(contextAffinity(model, morning, 'coffee').affinity).toBeGreaterThan(0.3);
    expect(contextAffinity(model, evening, 'coffee').affinity).toBeLessThan(0);
    expect(contextAffinity(model, morning, 'coffee').affinity).toBeGreaterThan(contextAffinity(model, morning, 'wine').affinity);
    expect(contextAffinity(model, morning, 'bread').affinity).toBeLessThan(contextAffinity(model, morning, 'coffee').affinity - 0.5);
  });

  it('smooths: one event gives a small item affinity, the group prior fills in', () => {
    const morning = requestContextKeys(model, { now: day0 + 8 * HOUR });
    const itemOnly = model.items['daypart=morning']['new-espresso'] ?? 0;
    expect(itemOnly).toBeLessThan(contextAffinity(model, morning, 'coffee').affinity);
    expect(contextAffinity(model, morning, 'new-espresso').affinity).toBeGreaterThan(itemOnly);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});

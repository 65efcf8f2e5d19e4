import { typeWeightOf } from '../../data/events.ts';
import { ownValue, userKeyedRecord } from '../../data/ownValue.ts';
import { contextKeys, DEFAULT_CONTEXT_FIELDS } from './features.ts';

/** An event with the context it happened in (timezone, device, country, declared fields). */
export interface ContextEvent {
  itemId: string;
  type?: string;
  /** epoch ms */
  timestamp: number;
  context?: Readonly<Record<string, unknown>>;
}

export interface ContextModelOptions {
  /** context fields to learn from (default daypart, weekend, device, country) */
  fields?: readonly string[];
  /** additive smoothing: pseudo-events pulling an item's affinity towards none (default 20) */
  smoothing?: number;
  typeWeights?: Readonly<Record<string, number>>;
  /** item groups (e.g. categories) to back off to for items with little data */
  groupsOf?: (itemId: string) => readonly string[];
  /** affinities smaller than this (in |log lift|) are not stored */
  minAffinity?: number;
}

/**
 * Item × context-value affinities: smoothed log-lift log P(item | value) / P(item), with the
 * same for item groups as a prior for items with few events. Plain JSON.
 */
export interface ContextModel {
  version: 1;
  fields: string[];
  smoothing: number;
  /** weighted events per item */
  itemCounts: Record<string, number>;
  /** per context key ("daypart=morning"): item → log lift */
  items: Record<string, Record<string, number>>;
  /** per context key: group → log lift */
  groups: Record<string, Record<string, number>>;
  /** per item its groups (so the model can score items by group alone) */
  itemGroups: Record<string, string[]>;
}

function liftTable(pairs: Map<string, Map<string, number>>, keyTotals: Map<string, number>, subjectTotals: Map<string, number>, total: number, alpha: number, min: number): Record<string, Record<string, number>> {
  const out = userKeyedRecord<Record<string, number>>();
  for (const key of [...pairs.keys()].sort()) {
    const pv = keyTotals.get(key)! / total;
    const row = userKeyedRecord<number>();
    for (const [subject, c] of pairs.get(key)!) {
      const ns = subjectTotals.get(subject)!;
      // P(value | subject) smoothed towards P(value): few events → lift near 1
      const lift = (c + alpha * pv) / ((ns + alpha) * pv);
      const a = Math.log(lift);
      if (Math.abs(a) >= min) row[subject] = Math.round(a * 1e4) / 1e4;
    }
    out[key] = row;
  }
  return out;
}

export function fitContextModel(events: readonly ContextEvent[], opts: ContextModelOptions = {}): ContextModel {
  const fields = [...(opts.fields ?? DEFAULT_CONTEXT_FIELDS)];
  const alpha = opts.smoothing ?? 20;
  const min = opts.minAffinity ?? 0.01;
  const keyTotals = new Map<string, number>();
  const itemTotals = new Map<string, number>();
  const groupTotals = new Map<string, number>();
  const itemPairs = new Map<string, Map<string, number>>();
  const groupPairs = new Map<string, Map<string, number>>();
  const itemGroups = userKeyedRecord<string[]>();
  const add = (m: Map<string, Map<string, number>>, key: string, s: string, w: number) => {
    let r = m.get(key);
    if (!r) m.set(key, (r = new Map()));
    r.set(s, (r.get(s) ?? 0) + w);
  };
  // totals are per field: every event counts once for each field it has a value for
  const fieldTotals = new Map<string, number>();
  for (const e of events) {
    const w = e.type === undefined ? 1 : typeWeightOf(opts.typeWeights, e.type, 1);
    if (w === 0) continue;
    let groups = ownValue(itemGroups, e.itemId);
    if (!groups) {
      groups = opts.groupsOf ? [...opts.groupsOf(e.itemId)] : [];
      if (opts.groupsOf) itemGroups[e.itemId] = groups;
    }
    itemTotals.set(e.itemId, (itemTotals.get(e.itemId) ?? 0) + w);
    for (const g of groups) groupTotals.set(g, (groupTotals.get(g) ?? 0) + w);
    for (const key of contextKeys(e.timestamp, e.context ?? {}, fields)) {
      const field = key.slice(0, key.indexOf('='));
      fieldTotals.set(field, (fieldTotals.get(field) ?? 0) + w);
      keyTotals.set(key, (keyTotals.get(key) ?? 0) + w);
      add(itemPairs, key, e.itemId, w);
      for (const g of groups) add(groupPairs, key, g, w);
    }
  }
  // P(value) within its field; the lift formula takes total per key's field
  const items = userKeyedRecord<Record<string, number>>();
  const groupsOut = userKeyedRecord<Record<string, number>>();
  for (const field of [...fieldTotals.keys()].sort()) {
    const total = fieldTotals.get(field)!;
    const sub = (m: Map<string, Map<string, number>>) => new Map([...m].filter(([k]) => k.startsWith(`${field}=`)));
    Object.assign(items, liftTable(sub(itemPairs), keyTotals, itemTotals, total, alpha, min));
    Object.assign(groupsOut, liftTable(sub(groupPairs), keyTotals, groupTotals, total, alpha, min));
  }
  return { version: 1, fields, smoothing: alpha, itemCounts: Object.fromEntries(itemTotals), items, groups: groupsOut, itemGroups };
}

/** The context keys of a request under a model. */
export function requestContextKeys(model: ContextModel, context: { now: number } & Readonly<Record<string, unknown>>): string[] {
  return contextKeys(context.now, context, model.fields);
}

/**
 * Affinity of an item with the request context: the sum over context keys of the item's log
 * lift, plus its groups' mean lift weighted by how little the item itself was seen
 * (smoothing / (events + smoothing)). Returns the total and the strongest key.
 */
export function contextAffinity(model: ContextModel, keys: readonly string[], itemId: string, groups?: readonly string[]): { affinity: number; strongest?: string } {
  const n = ownValue(model.itemCounts, itemId) ?? 0;
  const prior = model.smoothing / (n + model.smoothing);
  const gs = groups ?? ownValue(model.itemGroups, itemId) ?? [];
  let total = 0;
  let best = 0;
  let strongest: string | undefined;
  for (const key of keys) {
    const itemRow = ownValue(model.items, key);
    let a = (itemRow && ownValue(itemRow, itemId)) ?? 0;
    if (gs.length > 0 && prior > 0) {
      const row = ownValue(model.groups, key);
      if (row) {
        let g = 0;
        for (const x of gs) g += ownValue(row, x) ?? 0;
        a += (prior * g) / gs.length;
      }
    }
    total += a;
    if (a > best) {
      best = a;
      strongest = key;
    }
  }
  return { affinity: total, strongest };
}

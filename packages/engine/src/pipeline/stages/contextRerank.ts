import { contextAffinity, requestContextKeys, type ContextModel } from '../context/contextModel.ts';
import { ownValue } from '../../data/ownValue.ts';
import { categoriesOf } from '../../retrieval/types.ts';
import type { Candidate, RequestContext } from '../types.ts';
import { addReason } from './score.ts';

const LABEL: Record<string, string> = { daypart: 'at this time of day', weekend: 'on this day', weekday: 'on this day', hour: 'at this hour', device: 'on this device', country: 'in your country' };

/**
 * Context-aware re-ranking: adds weight × tanh(affinity) of each candidate with the request's
 * context values (learned item × context log-lifts), and a `context` reason when the
 * strongest affinity is clearly positive.
 */
export function contextRerank(candidates: readonly Candidate[], model: ContextModel | undefined, context: RequestContext, weight: number, categoryProperty: string): void {
  if (!model || weight === 0) return;
  const keys = requestContextKeys(model, context);
  if (keys.length === 0) return;
  for (const c of candidates) {
    const groups = ownValue(model.itemGroups, c.item.id) ?? categoriesOf(c.item, categoryProperty);
    const { affinity, strongest } = contextAffinity(model, keys, c.item.id, groups);
    if (affinity === 0) continue;
    // tanh bounds the effect: context re-orders, it does not override relevance
    const part = weight * Math.tanh(affinity);
    c.parts.context = part;
    c.score += part;
    if (strongest && affinity > 0.2) {
      const field = strongest.slice(0, strongest.indexOf('='));
      const value = strongest.slice(field.length + 1);
      addReason(c, { type: 'context', text: `Popular ${LABEL[field] ?? `for ${field} ${value}`}`, value: strongest });
    }
  }
}

import type { NewEvent } from '../../ports/store.ts';

/**
 * Events as they cross to the writer thread: every string field of every event in one string,
 * with the lengths and the numbers in typed arrays. postMessage clones an array of event objects
 * property by property on both threads (~0.6 µs per event on the sending thread alone); a pack
 * of a few flat values costs a quarter of that to build and send, and slicing it apart over
 * there costs less than the object clone's reading side did.
 */
export interface PackedEvents {
  /** events per group (one group per request), in order */
  groupSizes: Uint32Array<ArrayBuffer>;
  /** the string fields of every event (STRING_FIELDS order), concatenated */
  text: string;
  /** per event and string field: its length in `text`, or ABSENT */
  lengths: Uint32Array<ArrayBuffer>;
  /** per event: timestamp, then value (NaN when absent: see `hasValue`) */
  numbers: Float64Array<ArrayBuffer>;
  /** per event: 1 when it has a value */
  hasValue: Uint8Array<ArrayBuffer>;
  /** context and properties, which are open-ended objects: structured-cloned, only for the events that carry them */
  objects: Array<{ at: number; context?: Record<string, unknown>; properties?: Record<string, unknown> }>;
}

const STRING_FIELDS = ['eventId', 'type', 'userId', 'itemId', 'sessionId', 'recommendationId'] as const;
const FIELDS = STRING_FIELDS.length;
/** a length no string of a 2 GiB message can have: the field is absent */
const ABSENT = 0xffffffff;

/** Packs groups of events (one group per request) for postMessage. */
export function packEvents(groups: readonly (readonly NewEvent[])[]): PackedEvents {
  let count = 0;
  for (const g of groups) count += g.length;
  const groupSizes = new Uint32Array(groups.length);
  const lengths = new Uint32Array(count * FIELDS);
  const numbers = new Float64Array(count * 2);
  const hasValue = new Uint8Array(count);
  let text = '';
  const objects: PackedEvents['objects'] = [];
  let i = 0;
  // the fields one by one, not a loop over their names: a keyed read of six names is megamorphic and cost 3× the whole pack
  const put = (s: string | undefined, at: number): void => {
    if (s === undefined) lengths[at] = ABSENT;
    else {
      lengths[at] = s.length;
      text += s;
    }
  };
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    groupSizes[g] = group.length;
    for (const e of group) {
      const base = i * FIELDS;
      put(e.eventId, base);
      put(e.type, base + 1);
      put(e.userId, base + 2);
      put(e.itemId, base + 3);
      put(e.sessionId, base + 4);
      put(e.recommendationId, base + 5);
      numbers[2 * i] = e.timestamp;
      if (e.value !== undefined) {
        numbers[2 * i + 1] = e.value;
        hasValue[i] = 1;
      }
      if (e.context !== undefined || e.properties !== undefined) {
        const o: PackedEvents['objects'][number] = { at: i };
        if (e.context !== undefined) o.context = e.context;
        if (e.properties !== undefined) o.properties = e.properties;
        objects.push(o);
      }
      i++;
    }
  }
  return { groupSizes, text, lengths, numbers, hasValue, objects };
}

/** The groups packEvents packed, as equal events (absent fields stay absent). */
export function unpackEvents(p: PackedEvents): NewEvent[][] {
  const { text, lengths, numbers, hasValue } = p;
  const count = hasValue.length;
  const events = new Array<NewEvent>(count);
  let pos = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const base = i * FIELDS;
    // in packing order; type and userId are never absent (validated before they are packed)
    n = lengths[base]!;
    const eventId = n === ABSENT ? undefined : text.slice(pos, (pos += n));
    n = lengths[base + 1]!;
    const type = text.slice(pos, (pos += n));
    n = lengths[base + 2]!;
    const userId = text.slice(pos, (pos += n));
    const e: NewEvent = { type, userId, timestamp: numbers[2 * i]! };
    if (eventId !== undefined) e.eventId = eventId;
    n = lengths[base + 3]!;
    if (n !== ABSENT) e.itemId = text.slice(pos, (pos += n));
    n = lengths[base + 4]!;
    if (n !== ABSENT) e.sessionId = text.slice(pos, (pos += n));
    n = lengths[base + 5]!;
    if (n !== ABSENT) e.recommendationId = text.slice(pos, (pos += n));
    if (hasValue[i] === 1) e.value = numbers[2 * i + 1]!;
    events[i] = e;
  }
  for (const o of p.objects) {
    const e = events[o.at]!;
    if (o.context !== undefined) e.context = o.context;
    if (o.properties !== undefined) e.properties = o.properties;
  }
  const groups: NewEvent[][] = [];
  let k = 0;
  for (const size of p.groupSizes) groups.push(events.slice(k, (k += size)));
  return groups;
}

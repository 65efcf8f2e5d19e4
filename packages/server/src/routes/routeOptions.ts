import type { FastifySchemaCompiler } from 'fastify';

/**
 * Route options for routes whose JSON schemas exist for the OpenAPI document only: the shared
 * hand-written validators (validation/) check the input, so that the API and `attune import`
 * apply the same rules and report the same paths, and an events batch can accept some events
 * and report the others by index. Responses are serialized as-is (a response schema would
 * strip the open-ended property maps).
 */
const passthrough: FastifySchemaCompiler<unknown> = () => (data) => ({ value: data });
const plainJson = () => (data: unknown) => JSON.stringify(data);

export const docsOnlySchema = {
  validatorCompiler: passthrough,
  serializerCompiler: plainJson,
} as const;

/** The pieces of a recommendation list the serializer needs (RecommendationResponse). */
interface ListBody {
  recommendationId: string;
  items: readonly unknown[];
  model: unknown;
}

const itemsJson = new WeakMap<readonly unknown[], Buffer>();
const modelJson = new WeakMap<object, string>();

/**
 * A recommendation list as UTF-8 JSON bytes. A user's list is reused from the service's list
 * cache for many responses, each with a fresh recommendationId; the cache hands out its item
 * arrays frozen, and a frozen array's JSON bytes are kept (by identity) so the items are
 * serialized and encoded once per cached list, not once per response; the same for the frozen
 * model object. The answer is bytes, not a string, because a string body cost the serving
 * thread three copies of the list per response (~7 KiB of young garbage with ml-100k's lists,
 * a third of a cached response's): Fastify's Buffer.byteLength flattened the concatenation,
 * Node's HTTP layer prepended the headers to it, and the socket write flattened and encoded
 * that again. Bytes are identical to JSON.stringify's output encoded as UTF-8.
 */
export function listJson(body: ListBody): Buffer {
  const items = body.items;
  let json = itemsJson.get(items);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(items));
    if (Object.isFrozen(items)) itemsJson.set(items, json);
  }
  const head = `{"recommendationId":${JSON.stringify(body.recommendationId)},"items":`;
  const tail = `,"model":${frozenJson(body.model)}}`;
  const headBytes = Buffer.byteLength(head);
  // allocUnsafe: every byte is written below; lists under 4 KiB come from Node's shared pool
  const out = Buffer.allocUnsafe(headBytes + json.length + Buffer.byteLength(tail));
  out.write(head, 0);
  json.copy(out, headBytes);
  out.write(tail, headBytes + json.length);
  return out;
}

/** JSON of a value, kept by identity when the value is a frozen object (the model a response names). */
function frozenJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
  let json = modelJson.get(value);
  if (json === undefined) modelJson.set(value, (json = JSON.stringify(value)));
  return json;
}

function isListBody(data: unknown): data is ListBody {
  const d = data as Partial<ListBody> | null;
  return typeof d === 'object' && d !== null && typeof d.recommendationId === 'string' && Array.isArray(d.items) && Object.keys(d).length === 3 && 'model' in d;
}

/** docsOnlySchema for routes answering recommendation lists: their 200 goes through listJson. */
export const listRouteOptions = {
  validatorCompiler: passthrough,
  // Fastify sends a serializer's Buffer as it is (reply.js onSendEnd takes a string or a
  // Buffer); its types name string only
  serializerCompiler: () => (data: unknown) => (isListBody(data) ? (listJson(data) as unknown as string) : JSON.stringify(data)),
} as const;

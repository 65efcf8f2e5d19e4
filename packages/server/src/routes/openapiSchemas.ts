/**
 * JSON Schemas for the OpenAPI document (/openapi.json, /docs). They describe the contract;
 * the validators in validation/ enforce it (see routeOptions.ts).
 */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['wrong_type'] },
        message: { type: 'string' },
        path: { type: 'string', description: 'JSON path of the offending field', examples: ['$.properties.price'] },
        docs: { type: 'string', description: "the code's row in the API documentation's error table (<docsBaseUrl>api.md#error-<code>)", examples: ['docs/api.md#error-wrong_type'] },
      },
    },
  },
} as const;

const propertyValue = {
  description: 'string, number, boolean, timestamp (epoch ms or ISO 8601), string set (array of strings) or vector (array of numbers); null unsets',
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: { type: 'string' } },
    { type: 'array', items: { type: 'number' } },
  ],
} as const;

export const idParams = (name: string) =>
  ({ type: 'object', required: [name], properties: { [name]: { type: 'string', maxLength: 256 } } }) as const;

export const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    cursor: { type: 'string', description: 'nextCursor of the previous page' },
  },
} as const;

export const itemBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    properties: { type: 'object', additionalProperties: propertyValue },
    available: { type: 'boolean', default: true },
    createdAt: { oneOf: [{ type: 'integer', description: 'epoch ms' }, { type: 'string', format: 'date-time' }] },
  },
} as const;

export const itemRecord = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    properties: { type: 'object', additionalProperties: propertyValue },
    available: { type: 'boolean' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

export const itemSchemaBody = {
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: {
    properties: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { enum: ['string', 'number', 'boolean', 'timestamp', 'string-set', 'vector'] },
          dimensions: { type: 'integer', minimum: 1, description: 'vector length' },
        },
      },
    },
  },
} as const;

/** A user's stated preferences: the body of PUT /v1/users/{id}/preferences and part of a user record. */
export const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    likedCategories: { type: 'array', items: { type: 'string' } },
    likedItems: { type: 'array', items: { type: 'string' } },
    dislikedItems: { type: 'array', items: { type: 'string' } },
    hiddenCategories: { type: 'array', items: { type: 'string' } },
  },
} as const;

const reasonSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, text: { type: 'string' }, itemIds: { type: 'array', items: { type: 'string' } }, value: { type: 'string' } },
  required: ['type', 'text'],
} as const;

/** A recommendation list, as every recommendation route answers it. */
export const recommendationListSchema = {
  type: 'object',
  properties: {
    recommendationId: { type: 'string', description: 'send it back on events that follow from this list (attribution)' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { itemId: { type: 'string' }, score: { type: 'number' }, reasons: { type: 'array', items: reasonSchema }, explain: { type: 'object', additionalProperties: { type: 'number' } } },
        required: ['itemId', 'score', 'reasons'],
      },
    },
    model: {
      type: 'object',
      description: "the model version that computed the list: after a swap, a user's cached list names the previous version until it expires (at most the reuse window, 60 s)",
      properties: { name: { type: 'string' }, version: { type: 'integer' } },
      required: ['name', 'version'],
    },
  },
  required: ['recommendationId', 'items', 'model'],
} as const;

export const userBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    attributes: { type: 'object', additionalProperties: propertyValue },
    preferences: preferencesBody,
  },
} as const;

export const eventSchema = {
  type: 'object',
  required: ['type', 'userId'],
  additionalProperties: false,
  properties: {
    eventId: { type: 'string', description: 'idempotency key: a retry with the same eventId is stored once' },
    type: { type: 'string', maxLength: 64, examples: ['view', 'cart', 'purchase'] },
    userId: { type: 'string' },
    itemId: { type: 'string' },
    value: { type: 'number' },
    timestamp: { oneOf: [{ type: 'integer', description: 'epoch ms; defaults to the time received' }, { type: 'string', format: 'date-time' }] },
    sessionId: { type: 'string' },
    recommendationId: { type: 'string', description: 'the recommendation this event responds to' },
    context: { type: 'object', description: 'flat: device, locale, country …', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    properties: { type: 'object', description: 'free-form, at most 8 KiB' },
  },
} as const;

export const rejectedSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { index: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } },
  },
} as const;

export const errorResponses = {
  400: { description: 'invalid input; `path` names the field', ...errorSchema },
  413: { description: 'body larger than the configured limit', ...errorSchema },
  415: { description: 'body is not application/json', ...errorSchema },
  429: { description: 'rate limit exceeded', ...errorSchema },
} as const;

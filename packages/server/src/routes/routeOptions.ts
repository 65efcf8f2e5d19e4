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

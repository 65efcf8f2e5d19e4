import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Every error the API returns has one shape: `{error: {code, message, path?, docs?}}`.
 * `path` is the JSON path of the offending field in the request body ("$.items[3].price"),
 * `docs`, when set, points at the documentation that explains the rule.
 */
export interface ErrorBody {
  error: { code: string; message: string; path?: string; docs?: string };
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly docs?: string,
    /** extra top-level fields of the response, e.g. the per-event rejection list */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): ErrorBody & Record<string, unknown> {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.path !== undefined) error.path = this.path;
    if (this.docs !== undefined) error.docs = this.docs;
    return { error, ...this.extra };
  }
}

export const badRequest = (code: string, message: string, path?: string, docs?: string) => new ApiError(400, code, message, path, docs);
export const notFound = (what: string, id: string) => new ApiError(404, 'not_found', `${what} '${id}' does not exist`);

/** One mapping from anything thrown while serving a request to an HTTP status and the error shape. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError & { validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>; validationContext?: string };
  if (e && Array.isArray(e.validation)) {
    // Ajv validation of a route schema (params, querystring, or a body validated by Fastify)
    const first = e.validation[0];
    const missing = first?.params?.missingProperty;
    const extra = first?.params?.additionalProperty;
    const base = `$${jsonPointerToPath(first?.instancePath ?? '')}`;
    const path = typeof missing === 'string' ? `${base}.${missing}` : typeof extra === 'string' ? `${base}.${extra}` : base;
    const where = e.validationContext && e.validationContext !== 'body' ? `${e.validationContext} ` : '';
    return new ApiError(400, 'invalid_request', `${where}${path}: ${first?.message ?? 'is not valid'}`, path);
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'the body is empty but the content type is application/json', '$');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', `the body is not valid JSON: ${e.message}`, '$');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_content_length', e.message);
    case 'invalid_cursor':
      return new ApiError(400, 'invalid_cursor', e.message, '$.cursor');
  }
  if (e instanceof SyntaxError) return new ApiError(400, 'invalid_json', `the body is not valid JSON: ${e.message}`, '$');
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 429) return new ApiError(429, 'rate_limited', e.message || 'too many requests: slow down');
  if (status >= 400 && status < 500) return new ApiError(status, typeof e.code === 'string' ? e.code.toLowerCase() : 'bad_request', e.message);
  return new ApiError(500, 'internal', 'internal error: the server logged the details');
}

function jsonPointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
}

/** The Fastify error handler: the error shape for everything, a log line only for server faults. */
export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err);
  if (api.statusCode >= 500) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: api.code, path: api.path }, 'request rejected');
  const headers = (err as { headers?: Record<string, string> })?.headers;
  if (headers && api.statusCode === 429) reply.headers(headers);
  void reply.status(api.statusCode).send(api.body());
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(new ApiError(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`).body());
}

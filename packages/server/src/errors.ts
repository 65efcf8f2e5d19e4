import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { locateJsonError, parsesAsJson } from './io/jsonSyntaxError.ts';

/**
 * Every error the API returns has one shape: `{error: {code, message, path?, docs?}}`.
 * `path` is the JSON path of the offending field in the request body ("$.items[3].price"),
 * `docs` points at the documentation that explains the rule: the code's anchor in docs/api.md.
 */
export interface ErrorBody {
  error: { code: string; message: string; path?: string; docs?: string };
}

/**
 * Every code the API answers with. Each has an anchor `error-<code>` in the Errors section of
 * docs/api.md (a test checks both ways: codes used in the source are listed here, listed codes
 * are documented), so `docs` links always land on the row that explains the code.
 */
export const ERROR_CODES = [
  'wrong_type',
  'missing_field',
  'unknown_field',
  'invalid_field',
  'invalid_request',
  'invalid_json',
  'invalid_row',
  'invalid_content_length',
  'invalid_url',
  'too_many_events',
  'too_many_items',
  'unknown_scenario',
  'invalid_events',
  'invalid_cursor',
  'invalid_scenario',
  'rule_syntax',
  'rule_type',
  'builtin_scenario',
  'bad_request',
  'not_found',
  'route_not_found',
  'wrong_role',
  'request_timeout',
  'body_too_large',
  'unsupported_media_type',
  'headers_too_large',
  'rate_limited',
  'not_ready',
  'internal',
] as const;

/**
 * Where `docs` links point when the configuration does not say (`docsBaseUrl`): the docs folder
 * of the repository, as a path relative to its root. A deployment that publishes the docs sets
 * its public URL instead.
 */
export const DEFAULT_DOCS_BASE = 'docs/';

const DOCUMENTED: ReadonlySet<string> = new Set(ERROR_CODES);

/** The docs link for a code: its row in docs/api.md's Errors section (the section itself for a code passed through from a library). */
export function errorDocsUrl(code: string, base: string = DEFAULT_DOCS_BASE): string {
  const dir = base.endsWith('/') ? base : `${base}/`;
  return `${dir}api.md#${DOCUMENTED.has(code) ? `error-${code}` : 'errors'}`;
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

  /** the response body; `docsBase` is the configured public docs location (see errorDocsUrl) */
  body(docsBase?: string): ErrorBody & Record<string, unknown> {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.path !== undefined) error.path = this.path;
    error.docs = this.docs ?? errorDocsUrl(this.code, docsBase);
    return { error, ...this.extra };
  }
}

export const badRequest = (code: string, message: string, path?: string, docs?: string) => new ApiError(400, code, message, path, docs);

/**
 * A body JSON.parse refused, or one the JSON parser refused for a "__proto__" key or a
 * "constructor" with a "prototype" (prototype poisoning): the message says which, and where.
 */
export function invalidJsonBody(body: string): ApiError {
  const at = locateJsonError(body);
  const why = at
    ? `line ${at.line}, column ${at.column}: ${at.reason}`
    : parsesAsJson(body)
      ? 'a "__proto__" key, or a "constructor" holding a "prototype", is refused (prototype poisoning)'
      : 'it does not parse';
  return new ApiError(400, 'invalid_json', `the body is not valid JSON: ${why}`, '$');
}

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
    // the router's own refusals (app.ts passes them here through frameworkErrors); their
    // messages would echo the whole path, up to 16 KiB of it
    case 'FST_ERR_BAD_URL':
      return new ApiError(400, 'invalid_url', 'the path is not a valid URL: a percent-escape (%XX) is malformed or does not decode to UTF-8');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(414, 'bad_request', 'a path segment is too long');
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
export function errorHandler(docsBase: string = DEFAULT_DOCS_BASE): (err: unknown, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => {
    const api = toApiError(err);
    if (api.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ code: api.code, path: api.path }, 'request rejected');
    const headers = (err as { headers?: Record<string, string> })?.headers;
    if (headers && api.statusCode === 429) reply.headers(headers);
    void reply.status(api.statusCode).send(api.body(docsBase));
  };
}

export function notFoundHandler(docsBase: string = DEFAULT_DOCS_BASE): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    void reply.status(404).send(new ApiError(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`).body(docsBase));
  };
}

/**
 * Answers what Node's HTTP parser refuses before any route sees it (Fastify's
 * clientErrorHandler): a request line and headers over the size limit (431), a request that did
 * not arrive in time (408), anything that is not HTTP/1.1 (400). Fastify's default answers these
 * in a shape of its own; this one keeps the API's error shape. The connection is closed after
 * the answer: the parser cannot tell where the next request would start.
 */
export function clientErrorHandler(docsBase: string = DEFAULT_DOCS_BASE, log?: FastifyBaseLogger): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    // a reset connection has no one to answer
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const api =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, 'headers_too_large', 'the request line and headers are over the server\'s limit (16 KiB by default): shorten the URL or the headers')
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError(408, 'request_timeout', 'the request did not arrive in time')
          : new ApiError(400, 'bad_request', `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`);
    log?.debug({ code: err.code }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify(api.body(docsBase));
      socket.write(`HTTP/1.1 ${api.statusCode} ${STATUS_TEXT[api.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

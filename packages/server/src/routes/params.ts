import { ApiError } from '../errors.ts';
import { checkId } from '../validation/ids.ts';
import { ValidationIssue } from '../validation/issue.ts';

/** Runs a shared validator and turns its ValidationIssue into a 400 with the JSON path. */
export function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ValidationIssue) throw new ApiError(400, err.code, err.message, err.path);
    throw err;
  }
}

export async function validatedAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationIssue) throw new ApiError(400, err.code, err.message, err.path);
    throw err;
  }
}

export function idParam(params: unknown, name: string): string {
  const value = (params as Record<string, unknown>)[name];
  return validated(() => checkId(value, `$.${name}`));
}

/** `?limit=&cursor=` for list endpoints. */
export function pageQuery(query: unknown, maxLimit = 1000): { limit: number; cursor?: string } {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (key !== 'limit' && key !== 'cursor') throw new ApiError(400, 'unknown_field', `query parameter ${key} is not known (limit, cursor)`, `$.${key}`);
  }
  let limit = 100;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
      throw new ApiError(400, 'invalid_field', `$.limit: must be an integer from 1 to ${maxLimit}`, '$.limit');
    }
  }
  const out: { limit: number; cursor?: string } = { limit };
  if (typeof q.cursor === 'string' && q.cursor !== '') out.cursor = q.cursor;
  return out;
}

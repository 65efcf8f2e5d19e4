import { describe, expect, it } from 'vitest';
import { MAX_ID_LENGTH } from './ids.ts';
import { ValidationIssue } from './issue.ts';
import { MAX_TYPE_LENGTH, parseEvent } from './eventValidator.ts';

function issueOf(raw: unknown): { path: string; message: string; code: string } {
  try {
    parseEvent(raw, '$[3]', 1);
  } catch (err) {
    if (err instanceof ValidationIssue) return { path: err.path, message: err.message, code: err.code };
    throw err;
  }
  throw new Error('expected a ValidationIssue');
}

describe('parseEvent', () => {
  it('takes valid type, userId and itemId as they are', () => {
    const long = 'x'.repeat(MAX_ID_LENGTH);
    expect(parseEvent({ type: 't'.repeat(MAX_TYPE_LENGTH), userId: long, itemId: 'é😀' }, '$', 5)).toStrictEqual({ type: 't'.repeat(MAX_TYPE_LENGTH), userId: long, itemId: 'é😀', timestamp: 5 });
  });

  it.each([
    [{ type: '', userId: 'u' }, '$[3].type', '', /must not be empty/],
    [{ type: 'x'.repeat(MAX_TYPE_LENGTH + 1), userId: 'u' }, '$[3].type', '', /at most 64 characters/],
    [{ type: 7, userId: 'u' }, '$[3].type', 'wrong_type', /must be a string, got/],
    [{ type: 'view', userId: 42 }, '$[3].userId', 'wrong_type', /quote numeric ids/],
    [{ type: 'view', userId: '' }, '$[3].userId', '', /must not be empty/],
    [{ type: 'view', userId: 'a\u0001b' }, '$[3].userId', '', /control characters/],
    [{ type: 'view', userId: 'x'.repeat(MAX_ID_LENGTH + 1) }, '$[3].userId', '', /at most 256 characters/],
    [{ type: 'view', userId: 'u', itemId: ['a'] }, '$[3].itemId', 'wrong_type', /must be a string/],
    [{ type: 'view', userId: 'u', itemId: 'a\u007f' }, '$[3].itemId', '', /control characters/],
    [{ type: 'view' }, '$[3].userId', 'missing_field', /is required/],
  ])('reports %j at its path with the checker\'s message', (raw, path, code, message) => {
    const issue = issueOf(raw);
    expect(issue.path).toBe(path);
    expect(issue.message).toMatch(message);
    if (code === 'wrong_type' || code === 'missing_field') expect(issue.code).toBe(code);
  });

  it('a null itemId is no item', () => {
    expect(parseEvent({ type: 'search', userId: 'u', itemId: null }, '$', 1)).toStrictEqual({ type: 'search', userId: 'u', timestamp: 1 });
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ERROR_CODES, errorDocsUrl } from '../../src/errors.ts';
import { startTestServer, type TestServer } from './harness.ts';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SOURCES = [join(ROOT, 'packages/server/src'), join(ROOT, 'packages/engine/src/rules')];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Error codes written in the source: ApiError/badRequest/fail/ValidationIssue arguments, `code: '…'` literals of error bodies and rule errors, default code parameters. */
function codesInSource(): Set<string> {
  const code = "'([a-z]+(?:_[a-z]+)*)'";
  const patterns = [
    new RegExp(`new (?:ApiError|RuleApiError)\\(\\s*\\d+,\\s*${code}`, 'g'),
    new RegExp(`new ApiError\\(\\s*\\d+,\\s*[^,]*\\?\\s*${code}\\s*:\\s*${code}`, 'g'),
    new RegExp(`badRequest\\(\\s*${code}`, 'g'),
    new RegExp(`badRequest\\(\\s*[^,]*\\?\\s*${code}\\s*:\\s*${code}`, 'g'),
    new RegExp(`(?:\\bfail|ValidationIssue)\\((?:[^;]*?),\\s*${code}\\)`, 'g'),
    new RegExp(`error: \\{ code: ${code}`, 'g'),
    new RegExp(`code = ${code}`, 'g'),
    new RegExp(`RuleErrorCode = ${code}(?: \\| ${code})*`, 'g'),
  ];
  const found = new Set<string>();
  // the CLI's and the configuration's errors are printed by the CLI, never sent by the API
  for (const file of SOURCES.flatMap(sourceFiles).filter((f) => !/[/\\](cli|config)[/\\]/.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) for (const c of m.slice(1)) if (c) found.add(c);
  }
  return found;
}

/** The Errors section of docs/api.md (up to the next level-2 heading). */
function errorsSection(): string {
  const text = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  const start = text.indexOf('\n## Errors\n');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end);
}

describe('error docs links', () => {
  it('every code used in the source is a listed code, and every listed code has an anchor in docs/api.md', () => {
    const used = codesInSource();
    // the scan must see the common ones, or it scans nothing
    for (const c of ['wrong_type', 'missing_field', 'unknown_field', 'invalid_field', 'not_found', 'rule_syntax', 'rule_type', 'too_many_events', 'not_ready']) expect(used).toContain(c);
    const listed = new Set<string>(ERROR_CODES);
    expect([...used].filter((c) => !listed.has(c))).toEqual([]);
    const section = errorsSection();
    expect(ERROR_CODES.filter((c) => !section.includes(`<a id="error-${c}"></a>\`${c}\``))).toEqual([]);
  });

  it('links a code to its anchor under the configured base, and an unlisted code to the section', () => {
    expect(errorDocsUrl('wrong_type')).toBe('docs/api.md#error-wrong_type');
    expect(errorDocsUrl('wrong_type', 'https://example.org/attune/docs')).toBe('https://example.org/attune/docs/api.md#error-wrong_type');
    expect(errorDocsUrl('fst_err_something')).toBe('docs/api.md#errors');
    expect(new ApiError(400, 'invalid_field', 'x').body().error.docs).toBe('docs/api.md#error-invalid_field');
  });

  describe('through the API', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ docsBaseUrl: 'https://docs.example.org/attune/' });
    });
    afterAll(async () => {
      await t.server.close();
    });

    it('puts the configured docs link on validation, not-found and rule errors', async () => {
      const bad = await t.call('PUT', '/v1/items/a', { properties: {}, available: 'yes' });
      const badBody = bad.json as { error: { code: string; docs: string } };
      expect(bad.status).toBe(400);
      expect(badBody.error.docs).toBe(`https://docs.example.org/attune/api.md#error-${badBody.error.code}`);

      const route = await t.call('GET', '/v1/nothing-here');
      expect((route.json as { error: { docs: string } }).error.docs).toBe('https://docs.example.org/attune/api.md#error-route_not_found');

      const rule = await t.call('PUT', '/v1/scenarios/mine', { extends: 'homepage', filters: ['item.price = 5'] });
      const ruleBody = rule.json as { error: { code: string; docs: string } };
      expect(rule.status).toBe(400);
      expect(ruleBody.error.code).toMatch(/^rule_/);
      expect(ruleBody.error.docs).toBe(`https://docs.example.org/attune/api.md#error-${ruleBody.error.code}`);
    });
  });
});

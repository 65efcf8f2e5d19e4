import type { ItemSchema } from './env.ts';
import { isRuleError, type RuleErrorInfo } from './errors.ts';
import { parseRule } from './parse.ts';
import { checkRule, type RuleForm } from './typecheck.ts';

/**
 * Check a rule without compiling it, for API validation: the error as a plain value (send it
 * with status 400), or the rule's form. Other exceptions are bugs and propagate.
 */
export function validateRule(
  source: string,
  want: 'filter' | 'boost',
  schema?: ItemSchema,
): { ok: true; form: RuleForm } | { ok: false; error: RuleErrorInfo } {
  try {
    return { ok: true, form: checkRule(parseRule(source), source, want, schema) };
  } catch (e) {
    if (isRuleError(e)) return { ok: false, error: e.toJSON() };
    throw e;
  }
}

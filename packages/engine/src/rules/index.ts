// The rule language: filters and boosters for recommendation scenarios. See README.md.
export type { Expr, Rule, BoostRule, BinaryOp, UnaryOp, HistoryVerb, Span } from './ast.ts';
export { RuleError, RuleSyntaxError, RuleTypeError, isRuleError, type RuleErrorCode, type RuleErrorInfo } from './errors.ts';
export { parseRule, parseExpression } from './parse.ts';
export { printRule, printExpr } from './print.ts';
export { checkRule, typeOf, describeType, type RuleType, type RuleForm } from './typecheck.ts';
export { compileFilter, compileBoost, type RuleFilter, type RuleBooster } from './compile.ts';
export { evaluateRule } from './interpret.ts';
export { buildHistoryIndex, type HistoryIndex } from './history.ts';
export type { RuleEnv, RuleContext, RuleValue, ItemSchema, PropertyType } from './env.ts';
export { validateRule } from './validate.ts';

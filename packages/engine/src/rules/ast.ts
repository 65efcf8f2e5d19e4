import type { DurationUnit } from './lexer.ts';

/** Source span of a node: [start, end) offsets into the rule text, for error positions. */
export interface Span {
  start: number;
  end: number;
}

export type BinaryOp =
  | '||' | '&&'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'in' | 'not in' | 'contains' | 'intersects'
  | '+' | '-' | '*' | '/';

export type UnaryOp = '!' | '-';

/** History predicates on `user.` and the event type each one reads (null: any type). */
export type HistoryVerb = 'purchased' | 'viewed' | 'interacted';

export type Expr =
  | ({ kind: 'literal'; value: number | string | boolean | null } & Span)
  | ({ kind: 'duration'; amount: number; unit: DurationUnit } & Span)
  | ({ kind: 'list'; elements: Expr[] } & Span)
  /** item.<name> (of: 'item') or context.item.<name> (of: 'current', the page's item) */
  | ({ kind: 'prop'; of: 'item' | 'current'; name: string } & Span)
  | ({ kind: 'user'; name: string } & Span)
  | ({ kind: 'context'; name: string } & Span)
  /** context.cart.ids, context.cart.count or context.cart.<prop> (set of values over the cart) */
  | ({ kind: 'cart'; name: string } & Span)
  | ({ kind: 'param'; name: string } & Span)
  /** user.purchased(w) / user.viewed(w) / user.interacted('type', w): ids of items, window optional */
  | ({ kind: 'history'; verb: HistoryVerb; eventType: string | null; window: Expr | null } & Span)
  | ({ kind: 'unary'; op: UnaryOp; operand: Expr } & Span)
  | ({ kind: 'binary'; op: BinaryOp; left: Expr; right: Expr } & Span);

/** `boost <factor> [if <condition>]`; condition null means always. */
export interface BoostRule extends Span {
  kind: 'boost';
  factor: Expr;
  condition: Expr | null;
}

/** A parsed rule: a boost, or one expression (a filter condition or a numeric score term). */
export type Rule = Expr | BoostRule;

/** Binding strength of binary operators; higher binds tighter. Shared by parser and printer. */
export const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3,
  in: 3, 'not in': 3, contains: 3, intersects: 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5,
};

/** The fixed names under `item.` that are not catalogue properties. */
export const ITEM_BUILTINS = ['id', 'available', 'createdAt', 'age'] as const;
/** The fixed names under `user.` that are not profile attributes. */
export const USER_BUILTINS = ['id', 'likedCategories', 'likedItems', 'dislikedItems', 'hiddenCategories'] as const;
export const HISTORY_VERBS: readonly HistoryVerb[] = ['purchased', 'viewed', 'interacted'];
/** Event type each verb reads from the user's history; interacted takes it as an argument. */
export const VERB_EVENT_TYPE: Readonly<Record<HistoryVerb, string | null>> = {
  purchased: 'purchase',
  viewed: 'view',
  interacted: null,
};

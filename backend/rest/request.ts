/**
 * The typed form of a PostgREST request's query string (docs.postgrest.org, "Tables and Views",
 * "Resource Embedding"): what the parsers produce and the planners consume. Names in it are
 * still the user's text; the planners check each one against the schema cache.
 */

export interface JsonStep {
  arrow: '->' | '->>';
  key: string;
}

/** A column, optionally followed by a JSON path (`data->owner->>name`). */
export interface Field {
  name: string;
  json: JsonStep[];
}

export type SelectItem =
  | { kind: 'star' }
  | { kind: 'column'; field: Field; alias?: string; cast?: string }
  | { kind: 'embed'; name: string; alias?: string; hint?: string; inner: boolean; spread: boolean; select: SelectItem[] }
  /** `count()`, `amount.sum()`, `total:amount.sum()::int` (docs.postgrest.org, "Aggregate Functions"). */
  | { kind: 'aggregate'; fn: AggregateFunction; field?: Field; alias?: string; cast?: string };

export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFunction = (typeof AGGREGATES)[number];

export const OPERATORS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'is', 'isdistinct', 'in',
  'cs', 'cd', 'ov', 'sl', 'sr', 'nxl', 'nxr', 'adj', 'fts', 'plfts', 'phfts', 'wfts',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  kind: 'filter';
  field: Field;
  negate: boolean;
  op: Operator;
  /** The value after `op.`; for `in`, see `list`. */
  value: string;
  list?: string[];
  /** Text search configuration: `fts(english).cat`. */
  language?: string;
  /** `eq(any).{a,b}` / `like(all).{a*,*b}`: compare with any or all of an array's elements. */
  quantifier?: 'any' | 'all';
}

export interface Logic {
  kind: 'logic';
  op: 'and' | 'or';
  negate: boolean;
  conditions: Condition[];
}

export type Condition = Filter | Logic;

export interface OrderTerm {
  field: Field;
  /** `order=authors(name)`: a column of a to-one embedded resource, by its name in the select. */
  relation?: string;
  descending: boolean;
  nulls?: 'first' | 'last';
}

/**
 * Everything but the select, keyed by embed path: "" for the top level, "lists" or
 * "lists.items" (aliases where the select gave them) for embedded resources.
 */
export interface QueryParams {
  select: SelectItem[];
  conditions: Map<string, Condition[]>;
  order: Map<string, OrderTerm[]>;
  limit: Map<string, number>;
  offset: Map<string, number>;
  columns?: string[];
  onConflict?: string[];
}

/**
 * Stripe's Search Query Language, the part DevFlow uses (API reference, "Search query
 * language"): clauses `field:'value'` (exact) or `field~'value'` (substring), on `email`, `name`
 * or `metadata['key']`, joined with AND or OR (not both in one query). Pure.
 */
export interface Clause {
  field: string;
  /** Set for `metadata['key']`. */
  metadataKey?: string;
  op: ':' | '~';
  value: string;
}

export interface Query {
  join: 'AND' | 'OR';
  clauses: Clause[];
}

const CLAUSE = /^\s*(metadata\[(?:'([^']*)'|"([^"]*)")\]|[a-z_]+)\s*(:|~)\s*(?:'([^']*)'|"([^"]*)")\s*/;

/** The query, or a message saying what is wrong with it (Stripe answers 400 with such a message). */
export function parseSearchQuery(text: string, fields: readonly string[]): Query | string {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let rest = text;
  for (;;) {
    const m = CLAUSE.exec(rest);
    if (!m) return `could not parse the query at "${rest.trim() || '(end)'}"`;
    const metadataKey = m[2] ?? m[3];
    const field = metadataKey === undefined ? m[1]! : 'metadata';
    if (metadataKey === undefined && !fields.includes(field)) return `field "${field}" is not supported in search queries`;
    clauses.push({ field, metadataKey, op: m[4] as Clause['op'], value: m[5] ?? m[6] ?? '' });
    rest = rest.slice(m[0].length);
    if (rest === '') break;
    const join = /^(AND|OR)\s+/.exec(rest);
    if (!join) return `expected AND or OR at "${rest.trim()}"`;
    joins.add(join[1] as 'AND' | 'OR');
    rest = rest.slice(join[0].length);
  }
  if (joins.size > 1) return 'a query may not mix AND and OR';
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

export function matchesQuery(object: Record<string, unknown>, query: Query): boolean {
  const test = (c: Clause) => {
    const raw = c.metadataKey !== undefined ? (object.metadata as Record<string, string> | undefined)?.[c.metadataKey] : object[c.field];
    if (typeof raw !== 'string') return false;
    return c.op === ':' ? raw === c.value : raw.toLowerCase().includes(c.value.toLowerCase());
  };
  return query.join === 'AND' ? query.clauses.every(test) : query.clauses.some(test);
}

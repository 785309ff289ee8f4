/**
 * Resource embedding's relationship detection (docs.postgrest.org, "Resource Embedding"): from
 * a table and the name a select gives an embed, find the one foreign-key path to join by:
 * many-to-one, one-to-many, one-to-one (a foreign key whose columns are unique) or many-to-many
 * through a junction table whose primary key holds both foreign keys' columns. A `!hint` picks
 * among several by foreign key name, column name, or junction table name. None: PGRST200;
 * more than one: PGRST201 with the candidates in `details`, as PostgREST answers.
 */
import { RestError } from './errors.js';
import { tableKey, type ForeignKey, type SchemaCache, type Table } from './schema-cache.js';

export type Cardinality = 'many-to-one' | 'one-to-many' | 'one-to-one' | 'many-to-many';

/** Column pairs equal in a join: `left` on the first table named, `right` on the second. */
export type JoinPairs = { left: string; right: string }[];

export interface Relationship {
  cardinality: Cardinality;
  target: Table;
  fk: ForeignKey;
  /** The foreign key is on the source table (many-to-one, or one-to-one from the referencing side). */
  outgoing: boolean;
  /** source column = target column (direct relationships). */
  on: JoinPairs;
  junction?: { table: Table; fk2: ForeignKey; sourceOn: JoinPairs; targetOn: JoinPairs };
}

export function isToOne(rel: Relationship): boolean {
  return rel.cardinality === 'many-to-one' || rel.cardinality === 'one-to-one';
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const isUnique = (t: Table, cols: string[]) => t.uniques.some((u) => sameSet(u, cols));
const pairs = (from: string[], to: string[]): JoinPairs => from.map((c, i) => ({ left: c, right: to[i] ?? c }));
const refersTo = (fk: ForeignKey, t: Table) => fk.refSchema === t.schema && fk.refTable === t.name;
const isOn = (fk: ForeignKey, t: Table) => fk.schema === t.schema && fk.table === t.name;

/** Every relationship from `source`, in catalog order. */
export function relationshipsFrom(cache: SchemaCache, source: Table): Relationship[] {
  const found: Relationship[] = [];
  const table = (schema: string, name: string) => cache.tables.get(tableKey(schema, name));
  for (const fk of cache.foreignKeys) {
    if (isOn(fk, source)) {
      const target = table(fk.refSchema, fk.refTable);
      if (target) found.push({ cardinality: isUnique(source, fk.columns) ? 'one-to-one' : 'many-to-one', target, fk, outgoing: true, on: pairs(fk.columns, fk.refColumns) });
    }
    if (refersTo(fk, source)) {
      const target = table(fk.schema, fk.table);
      if (target) found.push({ cardinality: isUnique(target, fk.columns) ? 'one-to-one' : 'one-to-many', target, fk, outgoing: false, on: pairs(fk.refColumns, fk.columns) });
    }
  }
  for (const fk of cache.foreignKeys) {
    if (!refersTo(fk, source)) continue;
    const junction = table(fk.schema, fk.table);
    if (!junction) continue;
    for (const fk2 of cache.foreignKeys) {
      if (fk2 === fk || !isOn(fk2, junction)) continue;
      const inKey = (cols: string[]) => cols.every((c) => junction.primaryKey.includes(c));
      const target = table(fk2.refSchema, fk2.refTable);
      if (!target || !inKey(fk.columns) || !inKey(fk2.columns)) continue;
      found.push({
        cardinality: 'many-to-many', target, fk, outgoing: false, on: [],
        junction: { table: junction, fk2, sourceOn: pairs(fk.refColumns, fk.columns), targetOn: pairs(fk2.columns, fk2.refColumns) },
      });
    }
  }
  return found;
}

function namedBy(rel: Relationship, name: string): boolean {
  if (rel.target.name === name) return true;
  // A many-to-one can also be named by its foreign key or its single column (PostgREST's
  // "embedding by foreign key / column name").
  if (!rel.outgoing) return false;
  return rel.fk.name === name || (rel.fk.columns.length === 1 && rel.fk.columns[0] === name);
}

function matchesHint(rel: Relationship, hint: string): boolean {
  if (rel.fk.name === hint || rel.junction?.fk2.name === hint || rel.junction?.table.name === hint) return true;
  return rel.fk.columns.length === 1 && (rel.fk.columns[0] === hint || rel.fk.refColumns[0] === hint);
}

function describe(rel: Relationship, source: Table) {
  const via = rel.junction ? `${rel.junction.table.schema}.${rel.junction.table.name}[${rel.fk.name}][${rel.junction.fk2.name}]` : rel.fk.name;
  return {
    cardinality: rel.cardinality,
    embedding: `${source.name} with ${rel.target.name}`,
    relationship: `${via} using ${source.name}(${rel.on.map((p) => p.left).join(', ') || rel.junction?.sourceOn.map((p) => p.left).join(', ')}) and ${rel.target.name}(${rel.on.map((p) => p.right).join(', ') || rel.junction?.targetOn.map((p) => p.right).join(', ')})`,
  };
}

export function findRelationship(cache: SchemaCache, source: Table, name: string, hint?: string): Relationship {
  const all = relationshipsFrom(cache, source).filter((r) => namedBy(r, name));
  let found = hint === undefined ? all : all.filter((r) => matchesHint(r, hint));
  // A direct foreign key wins over a junction when both name the same target without a hint.
  if (found.length > 1 && hint === undefined) {
    const direct = found.filter((r) => !r.junction);
    if (direct.length === 1) found = direct;
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    return notFound(source, name, hint);
  }
  const hints = found.map((r) => `'${name}!${r.junction ? r.junction.table.name : r.fk.name}'`);
  throw new RestError(300, 'PGRST201', `Could not embed because more than one relationship was found for '${source.name}' and '${name}'`,
    found.map((r) => describe(r, source)),
    `Try changing '${name}' to one of the following: ${hints.join(', ')}. Find the desired relationship in the 'details' key.`);
}

function notFound(source: Table, name: string, hint: string | undefined): never {
  const details = hint === undefined
    ? `Searched for a foreign key relationship between '${source.name}' and '${name}' in the schema '${source.schema}', but no matches were found.`
    : `Searched for a foreign key relationship between '${source.name}' and '${name}' using the hint '${hint}' in the schema '${source.schema}', but no matches were found.`;
  throw new RestError(400, 'PGRST200', `Could not find a relationship between '${source.name}' and '${name}' in the schema cache`, details, null);
}

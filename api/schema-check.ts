/**
 * A small JSON Schema checker for the subset openapi.ts uses (type incl. 3.1 null unions,
 * properties, required, additionalProperties, items, enum, allOf, $ref to components, format
 * date-time, pattern, minimum/maximum). The tests validate every API response with it; ajv is
 * not a dependency and this subset is all the document needs.
 */
export type Schema = Record<string, unknown>;

export function checkSchema(value: unknown, schema: Schema, root: Schema, at = '$'): string[] {
  if (typeof schema.$ref === 'string') return checkSchema(value, resolve(schema.$ref, root), root, at);
  const errors: string[] = [];
  if (schema.type !== undefined && !typeMatches(value, schema.type as string | string[])) {
    return [`${at}: expected ${JSON.stringify(schema.type)}, got ${kind(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf as Schema[]) errors.push(...checkSchema(value, part, root, at));
  if (typeof value === 'string') errors.push(...checkString(value, schema, at));
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...checkSchema(item, schema.items as Schema, root, `${at}[${i}]`)));
  if (isObject(value)) errors.push(...checkObject(value, schema, root, at));
  return errors;
}

function checkString(value: string, schema: Schema, at: string): string[] {
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) return [`${at}: "${value}" is not a date-time`];
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return [`${at}: "${value}" does not match ${schema.pattern}`];
  return [];
}

function checkObject(value: Record<string, unknown>, schema: Schema, root: Schema, at: string): string[] {
  const errors: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required ?? []) as string[]) if (!(key in value)) errors.push(`${at}: missing "${key}"`);
  for (const [key, item] of Object.entries(value)) {
    const sub = properties[key];
    if (sub) errors.push(...checkSchema(item, sub, root, `${at}.${key}`));
    else if (schema.additionalProperties === false) errors.push(`${at}: unexpected "${key}"`);
    else if (isObject(schema.additionalProperties)) errors.push(...checkSchema(item, schema.additionalProperties, root, `${at}.${key}`));
  }
  return errors;
}

function resolve(ref: string, root: Schema): Schema {
  const parts = ref.replace(/^#\//, '').split('/');
  let node: unknown = root;
  for (const part of parts) node = isObject(node) ? node[part] : undefined;
  if (!isObject(node)) throw new Error(`unresolvable $ref ${ref}`);
  return node;
}

function typeMatches(value: unknown, type: string | string[]): boolean {
  return (Array.isArray(type) ? type : [type]).some((t) => {
    if (t === 'integer') return Number.isInteger(value);
    if (t === 'null') return value === null;
    if (t === 'array') return Array.isArray(value);
    if (t === 'object') return isObject(value);
    return typeof value === t;
  });
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

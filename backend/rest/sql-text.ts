/**
 * The only two ways user input reaches SQL text: identifiers that were first found in the
 * schema cache, quoted here, and values, bound as parameters ($1, $2, ...) and never inlined.
 */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/** Collects bound values in order; `add` returns the placeholder to write into the text. */
export class Params {
  readonly values: string[] = [];

  add(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

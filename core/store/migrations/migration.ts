export interface Migration {
  version: number;
  name: string;
  /** An empty migration is a reserved slot: it is skipped and not recorded. */
  sql: string;
}

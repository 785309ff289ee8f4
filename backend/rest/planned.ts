/**
 * What the table and rpc handlers hand to the service (service.ts): a planned request and how
 * it answers, and the singular-response rule both apply (PostgREST's PGRST116).
 */
import { RestError } from './errors.js';
import type { StatementResult } from './execute.js';
import type { Output } from './plan-output.js';
import type { RequestTransaction } from '../session.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** A planned request: whether it may write, what it runs, whether to commit, how it answers. */
export interface Planned {
  readOnly: boolean;
  run(tx: RequestTransaction): Promise<StatementResult>;
  keep(result: StatementResult): boolean;
  answer(result: StatementResult): Answer;
}

export function singularCheck(output: Output, result: StatementResult): boolean {
  return output.format !== 'object' || result.pageTotal === 1;
}

export function singularError(result: StatementResult): RestError {
  return new RestError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${result.pageTotal} rows`);
}

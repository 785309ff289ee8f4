/** Lets async route handlers hand their errors to express's error handler. */
import type { NextFunction, Request, Response } from 'express';
import { InvalidInputError } from '../../core/errors.js';

export type Handler = (req: Request, res: Response) => Promise<void>;

export function route(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);
}

export function parsePositiveInt(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidInputError(`"${String(value)}" is not a valid ${what}`);
  return n;
}

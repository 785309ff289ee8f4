/**
 * Typed errors. Domain code throws these with a message a user can act on; only the HTTP
 * layer maps `code` to a status and only the CLI maps it to an exit code.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'build_failed'
  | 'release_failed'
  | 'runtime_unavailable'
  | 'internal';

export class DevflowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DevflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
  }
}

export class NotFoundError extends DevflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

export class ConflictError extends DevflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

export class UnauthorizedError extends DevflowError {
  constructor(message = 'authentication required: send the DevFlow token', options?: { cause?: unknown }) {
    super('unauthorized', message, options);
  }
}

/** A build phase failed; `tail` holds the last lines of the failing step's output. */
export class BuildError extends DevflowError {
  readonly phase: string;
  readonly tail: string[];

  constructor(phase: string, message: string, tail: string[] = [], options?: { cause?: unknown }) {
    super('build_failed', `${phase}: ${message}`, options);
    this.phase = phase;
    this.tail = tail;
  }
}

export class ReleaseError extends DevflowError {
  /** The last output lines of the instance that failed, when the runtime had them. */
  readonly output: string[];

  constructor(message: string, options?: { cause?: unknown; output?: string[] }) {
    super('release_failed', message, options);
    this.output = options?.output ?? [];
  }
}

/** Adds context when rethrowing, keeping the code: "build failed: npm ci exited 1". */
export function withContext(context: string, err: unknown): DevflowError {
  if (err instanceof DevflowError) {
    const wrapped = new DevflowError(err.code, `${context}: ${err.message}`, { cause: err });
    return wrapped;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DevflowError('internal', `${context}: ${message}`, { cause: err });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The CLI's errors and the one table that turns them into exit codes (STYLE.md 7: only the CLI
 * maps error codes to exit codes). A failure carries a code: the API's own `error.code` when the
 * API refused the request, else one of the CLI's codes below. Scripts branch on the exit code, or
 * on the code itself in `--json` error output.
 */

/** Codes the CLI gives its own failures (the API's codes are core/errors.ts's ErrorCode and a few HTTP ones). */
export type CliErrorCode = 'usage' | 'unreachable' | 'no_token' | 'failed';

export class CliError extends Error {
  constructor(message: string, readonly code: string = 'failed', readonly status?: number) {
    super(message);
  }
}

/** Exit codes, one per kind of failure a script may want to tell apart. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a build, a release, a deployment, a certificate. */
  failed: 1,
  /** The command line or what it sent is wrong: unknown command or option, missing or bad argument. */
  usage: 2,
  notFound: 3,
  /** No token, a wrong or expired token, too small a scope, or rate-limited. */
  refused: 4,
  /** The thing exists already, or is busy with another change. */
  conflict: 5,
  /** DevFlow cannot be reached, or a part it needs (the container runtime) does not answer. */
  unavailable: 6,
  /** DevFlow failed inside: see its log. */
  serverError: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every error code DevFlow's API sends (core/errors.ts and the HTTP layer), and the CLI's own. */
const EXIT_FOR_CODE: Record<string, ExitCode> = {
  usage: EXIT.usage,
  invalid_input: EXIT.usage,
  invalid_json: EXIT.usage,
  too_large: EXIT.usage,
  method_not_allowed: EXIT.usage,
  not_found: EXIT.notFound,
  unauthorized: EXIT.refused,
  forbidden: EXIT.refused,
  rate_limited: EXIT.refused,
  no_token: EXIT.refused,
  conflict: EXIT.conflict,
  unreachable: EXIT.unavailable,
  runtime_unavailable: EXIT.unavailable,
  internal: EXIT.serverError,
  build_failed: EXIT.failed,
  release_failed: EXIT.failed,
  failed: EXIT.failed,
};

/** For a code this CLI does not know yet (a newer server), the HTTP status still says the kind. */
function exitForStatus(status: number | undefined): ExitCode {
  if (status === undefined) return EXIT.failed;
  if (status === 404) return EXIT.notFound;
  if (status === 401 || status === 403 || status === 429) return EXIT.refused;
  if (status === 409) return EXIT.conflict;
  if (status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  if (status >= 500) return EXIT.serverError;
  if (status >= 400) return EXIT.usage;
  return EXIT.failed;
}

export function exitCodeFor(code: string, status?: number): ExitCode {
  return EXIT_FOR_CODE[code] ?? exitForStatus(status);
}

/** What a failed command reports: `{ "error": { "code", "message" } }`, as the API itself answers. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * The devflow command. Most commands talk only to the REST API; `up` runs the server and
 * `stack build` drives Docker. A command's code is loaded only when it runs (commands.ts).
 * Errors become one line on stderr (a JSON object with --json) and an exit code from the one
 * table in errors.ts, here and nowhere else.
 */
import { CommanderError } from 'commander';
import { DevflowError } from '../core/errors.js';
import { COMMANDS, GROUPS } from './commands.js';
import { CliError, errorBody, EXIT, exitCodeFor } from './errors.js';
import { buildProgram } from './program.js';

const wantsJson = process.argv.includes('--json');
// With --json, a usage error is reported as JSON below instead of commander's own line.
const program = buildProgram(COMMANDS, GROUPS, { quietErrors: wantsJson });

program.parseAsync(process.argv).catch((err: unknown) => {
  // Exit at once: a failed command may leave a stream or a socket open.
  process.exit(reportFailure(err));
});

function reportFailure(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with commander's exit code 0.
    if (err.exitCode === 0) return EXIT.ok;
    if (wantsJson) console.error(JSON.stringify(errorBody('usage', err.message.replace(/^error: /, ''))));
    return EXIT.usage;
  }
  if (err instanceof CliError || err instanceof DevflowError) {
    const status = err instanceof CliError ? err.status : undefined;
    console.error(wantsJson ? JSON.stringify(errorBody(err.code, err.message)) : ` !    ${err.message}`);
    return exitCodeFor(err.code, status);
  }
  console.error(err);
  return EXIT.failed;
}

/**
 * The devflow command. Every command except `up` and `stack` talks only to the REST API.
 * Errors become one line on stderr and a non-zero exit code, here and nowhere else.
 */
import { Command } from 'commander';
import { DevflowError } from '../core/errors.js';
import { CliError } from './client.js';
import { registerAppCommands } from './commands/apps.js';
import { registerBackendCommands } from './commands/backend.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDomainCommands } from './commands/domains.js';
import { registerPreviewCommands } from './commands/previews.js';
import { registerPsCommands } from './commands/ps.js';
import { registerReleaseCommands } from './commands/releases.js';
import { registerStackCommands } from './commands/stack.js';
import { registerUpCommand } from './commands/up.js';
import { registerDeployCommand } from './commands/deploy.js';
import { registerLoginCommands } from './commands/login.js';
import { registerLogCommands } from './commands/logs.js';
import { registerOpenCommand } from './commands/open.js';
import { registerTokenCommands } from './commands/tokens.js';

const program = new Command('devflow')
  .description('DevFlow: git push to deploy, on your own machine')
  .showHelpAfterError('(run with --help for usage)');

registerUpCommand(program);
registerAppCommands(program);
registerReleaseCommands(program);
registerStackCommands(program);
registerConfigCommands(program);
registerPsCommands(program);
registerDomainCommands(program);
registerPreviewCommands(program);
registerLoginCommands(program);
registerTokenCommands(program);
registerLogCommands(program);
registerOpenCommand(program);
registerDeployCommand(program);
registerBackendCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError || err instanceof DevflowError) {
    console.error(` !    ${err.message}`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  }
  console.error(err);
  process.exit(1);
});

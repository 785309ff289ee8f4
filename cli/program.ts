/**
 * Builds the commander program from the command table. Only this file knows commander; a
 * command's own module is imported inside its action, when it runs.
 */
import { Command } from 'commander';
import { ownArguments, splitAppArguments } from './app-arguments.js';
import type { CommandInput, CommandSpec } from './command-spec.js';

const APP_ARGUMENT = 'the app (default: -a/--app, or the git remote "devflow")';

export function buildProgram(commands: CommandSpec[], groups: Record<string, string>, options: { quietErrors?: boolean } = {}): Command {
  const program = new Command('devflow')
    .description('DevFlow: git push to deploy, on your own machine')
    .showHelpAfterError(options.quietErrors ? false : '(run with --help for usage)')
    // Errors come back to main.ts, which owns the exit codes (errors.ts).
    .exitOverride();
  // Subcommands copy these settings when they are made, so they come first.
  if (options.quietErrors) program.configureOutput({ outputError: () => undefined });
  for (const spec of commands) defineCommand(parentOf(program, spec.name, groups), spec);
  return program;
}

/** `stack build` lives under a `stack` command that only groups. */
function parentOf(program: Command, name: string, groups: Record<string, string>): Command {
  const [group, sub] = name.split(' ');
  if (sub === undefined) return program;
  return program.commands.find((c) => c.name() === group) ?? program.command(group!).description(groups[group!] ?? '');
}

function defineCommand(parent: Command, spec: CommandSpec): void {
  const command = parent.command(spec.name.split(' ').at(-1)!).description(spec.description);
  const own = spec.args ?? [];
  if (spec.app) {
    // Every positional is optional to commander: which one is the app is decided after
    // parsing (app-arguments.ts), so `ps:scale web=2 --app shop` and `ps:scale shop web=2` both work.
    command.argument('[app]', APP_ARGUMENT);
    for (const [syntax, description] of own) command.argument(`[${syntax.slice(1, -1)}]`, description);
    command.option('-a, --app <app>', 'the app');
    command.usage(['[options]', '[app]', ...own.map(([syntax]) => syntax)].join(' '));
  } else {
    for (const [syntax, description] of own) command.argument(syntax, description);
  }
  for (const option of spec.options ?? []) {
    if (option.required) command.requiredOption(option.flags, option.description, option.default as string | undefined);
    else command.option(option.flags, option.description, option.default);
  }
  if (spec.json) command.option('--json', 'print JSON');
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const opts = self.opts<{ app?: string }>();
    const input = spec.app
      ? await appInput(own.map(([syntax]) => syntax), self.args, opts)
      : { app: '', args: self.args, opts };
    const handler = await spec.load();
    await handler(input);
  });
}

async function appInput(ownSyntax: string[], positionals: string[], opts: { app?: string }): Promise<CommandInput> {
  const { app, args } = splitAppArguments(ownArguments(ownSyntax), positionals, opts.app);
  // The git remote is asked only when the command line names no app.
  if (app !== undefined) return { app, args, opts };
  const { appFromGitRemote } = await import('./app-name.js');
  return { app: await appFromGitRemote(), args, opts };
}

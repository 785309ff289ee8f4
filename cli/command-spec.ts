/**
 * A command as data: what `devflow --help` shows, and where its code is. The code is imported
 * only when the command runs, so help and API commands never load the server (issue 14).
 */

/** What a command's code receives. `app` is the resolved app for app commands, '' for the others. */
export interface CommandInput<Options = Record<string, unknown>> {
  app: string;
  args: string[];
  opts: Options;
}

// Handlers declare their own option types; the table cannot know them, so it stores them loosely.
export type Handler = (input: CommandInput<any>) => Promise<void> | void;

export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | boolean;
  required?: boolean;
}

export interface CommandSpec {
  /** `ps:scale`, or `stack build` for a subcommand. */
  name: string;
  description: string;
  /** The command's own positional arguments in commander's syntax, with their help. */
  args?: [syntax: string, description?: string][];
  options?: OptionSpec[];
  /** App command: the app comes from `-a/--app`, the first argument, or the `devflow` git remote. */
  app?: boolean;
  /** Adds `--json` (print JSON). */
  json?: boolean;
  load: () => Promise<Handler>;
}

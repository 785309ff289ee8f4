/**
 * Which positional arguments of an app command name the app (Heroku CLI's `-a/--app`, plus
 * DevFlow's older positional form). Pure, so every case is a row in app-arguments.test.ts:
 *
 * - `--app shop` given: every positional argument is the command's own (`ps:scale web=2 --app shop`);
 * - else the first positional is the app when it looks like an app name and the command's own
 *   arguments are still satisfied without it (`ps:scale shop web=2`, `logs shop`);
 * - else the app is left to the caller, which asks the `devflow` git remote (app-name.ts).
 */
import { CliError } from './errors.js';

/** How many positional arguments the command itself takes (Infinity for a variadic last one). */
export interface OwnArguments {
  min: number;
  max: number;
  /** Names for messages, e.g. ['<changes...>']. */
  names: string[];
}

export interface SplitArguments {
  app: string | undefined;
  args: string[];
}

/** App names are lowercase DNS labels starting with a letter (core/names.ts checks them fully). */
const LOOKS_LIKE_APP = /^[a-z][a-z0-9-]*$/;

export function splitAppArguments(own: OwnArguments, positionals: string[], appFlag: string | undefined): SplitArguments {
  let app: string | undefined;
  let args = positionals;
  if (appFlag !== undefined) {
    app = appFlag;
    // `devflow ps shop --app shop` names the app twice, harmlessly.
    if (args.length > own.max && args[0] === appFlag) args = args.slice(1);
  } else if (args.length > own.min && LOOKS_LIKE_APP.test(args[0]!)) {
    app = args[0];
    args = args.slice(1);
  }
  if (args.length > own.max) {
    const extra = args.slice(own.max).join(' ');
    throw new CliError(`too many arguments: "${extra}"${appFlag === undefined ? '' : ` (the app is already given by --app ${appFlag})`}`, 'usage');
  }
  if (args.length < own.min) {
    throw new CliError(`missing argument ${own.names.slice(args.length).join(' ')}`, 'usage');
  }
  return { app, args };
}

/** Commander's syntax of an argument ('<name>', '[name]', '<name...>') as counts. */
export function ownArguments(syntax: string[]): OwnArguments {
  const min = syntax.filter((s) => s.startsWith('<')).length;
  const max = syntax.some((s) => s.endsWith('...>') || s.endsWith('...]')) ? Infinity : syntax.length;
  return { min, max, names: syntax };
}

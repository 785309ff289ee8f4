/**
 * Which app an app-scoped command is about: the argument or `--app`, else the app of the
 * current repository's `devflow` git remote (http://host:7070/<app>.git), as Heroku's CLI does.
 */
import { execa } from 'execa';
import { CliError } from './client.js';

export function appFromRemoteUrl(url: string): string | undefined {
  const match = /\/([a-z][a-z0-9-]*)\.git\/?$/.exec(url.trim());
  return match?.[1];
}

export async function resolveAppName(explicit: string | undefined, cwd = process.cwd()): Promise<string> {
  if (explicit) return explicit;
  const remote = await execa('git', ['remote', 'get-url', 'devflow'], { cwd, reject: false });
  const app = remote.exitCode === 0 ? appFromRemoteUrl(remote.stdout) : undefined;
  if (app) return app;
  throw new CliError('which app? pass --app <name>, or run this inside a repository with a "devflow" git remote');
}

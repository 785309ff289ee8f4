/**
 * The app of the current repository's `devflow` git remote (http://host:7070/<app>.git), for app
 * commands run without one, as Heroku's CLI does (app-arguments.ts decides when).
 */
import { execFile } from 'node:child_process';
import { CliError } from './errors.js';

export function appFromRemoteUrl(url: string): string | undefined {
  const match = /\/([a-z][a-z0-9-]*)\.git\/?$/.exec(url.trim());
  return match?.[1];
}

function gitRemoteUrl(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['remote', 'get-url', 'devflow'], { cwd }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

export async function appFromGitRemote(cwd = process.cwd()): Promise<string> {
  const url = await gitRemoteUrl(cwd);
  const app = url === undefined ? undefined : appFromRemoteUrl(url);
  if (app) return app;
  throw new CliError('which app? pass --app <name>, or run this inside a repository with a "devflow" git remote', 'usage');
}

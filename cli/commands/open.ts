/** open: print the app's URL, and open it in a browser when run in a terminal with one. */
import type { Command } from 'commander';
import { execa } from 'execa';
import { resolveAppName } from '../app-name.js';
import { createClient } from '../client.js';

export function registerOpenCommand(program: Command): void {
  program.command('open').description("print an app's URL and open it in the browser")
    .argument('[app]', 'the app (default: --app, or the git remote "devflow")')
    .option('-a, --app <app>', 'the app')
    .option('--no-browser', 'only print the URL')
    .action(async (appArg: string | undefined, opts: { app?: string; browser: boolean }) => {
      const app = await resolveAppName(appArg ?? opts.app);
      const { url } = await createClient(process.env).request<{ url: string }>('GET', `/apps/${encodeURIComponent(app)}`);
      console.log(url);
      if (opts.browser && process.stdout.isTTY) {
        // Best effort: a headless server has no browser, and the URL is printed anyway.
        await execa('xdg-open', [url], { reject: false, detached: true, stdio: 'ignore' }).catch(() => {});
      }
    });
}

/** open: print the app's URL, and open it in a browser when run in a terminal with one. */
import { spawn } from 'node:child_process';
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';

export async function openApp({ app, opts }: CommandInput<{ browser: boolean }>): Promise<void> {
  const { url } = await createClient(process.env).request<{ url: string }>('GET', `/apps/${encodeURIComponent(app)}`);
  console.log(url);
  if (opts.browser && process.stdout.isTTY) {
    // Best effort: a headless server has no browser, and the URL is printed anyway.
    const browser = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
    browser.on('error', () => undefined);
    browser.unref();
  }
}

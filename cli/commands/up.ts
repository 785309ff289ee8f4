/** devflow up: run DevFlow in the foreground until Ctrl-C / SIGTERM. */
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { startDevflow } from '../../server/start.js';

export function registerUpCommand(program: Command): void {
  program.command('up').description('run DevFlow (API, git, builder, scheduler, router) in the foreground')
    .option('--port <port>', 'API and git port (default 7070)')
    .option('--http-port <port>', 'router HTTP port (default 8080)')
    .option('--https-port <port>', 'router HTTPS port (default 8443)')
    .option('--domain <domain>', 'apps are served at <app>.<domain> (default localhost)')
    .option('--runtime <kind>', 'docker, process or auto (default auto)')
    .action(async (flags: { port?: string; httpPort?: string; httpsPort?: string; domain?: string; runtime?: string }) => {
      const config = loadConfig(process.env, flags);
      const log = (line: string) => console.log(line);
      const devflow = await startDevflow(config, log);
      log(`admin token: ${config.home}/admin-token`);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        log('stopping DevFlow (apps keep running; they are adopted at the next start)');
        await devflow.close().catch((err: unknown) => console.error(err));
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}

/** CLI commands for process formation (ps, ps:scale). */
import type { Command } from 'commander';

export function registerPsCommands(_program: Command): void {
  // Commands are added here as the feature lands.
}

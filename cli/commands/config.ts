/** CLI commands for config vars (config, config:set, config:unset) and rollback. */
import type { Command } from 'commander';

export function registerConfigCommands(_program: Command): void {
  // Commands are added here as the feature lands.
}

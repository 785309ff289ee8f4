/** CLI commands for custom domains and certificates. */
import type { Command } from 'commander';

export function registerDomainCommands(_program: Command): void {
  // Commands are added here as the feature lands.
}

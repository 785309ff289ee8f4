/** CLI commands for preview environments. */
import type { Command } from 'commander';

export function registerPreviewCommands(_program: Command): void {
  // Commands are added here as the feature lands.
}

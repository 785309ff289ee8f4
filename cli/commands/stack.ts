/** devflow stack build: make the build and run images the buildpacks use. */
import type { Command } from 'commander';
import { buildStack } from '../../builder/index.js';
import { dockerClient } from '../../core/docker-engine.js';

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('build and run images (stacks)');
  stack.command('build').description('make the build and run images (from a registry when one answers, else debootstrap)')
    .option('--force', 'rebuild even when the images exist')
    .action(async (opts: { force?: boolean }) => {
      const images = await buildStack({ docker: await dockerClient(), log: { line: (l) => console.log(l) }, force: opts.force });
      console.log(`stack ready: ${images.buildImage}, ${images.runImage}`);
    });
}

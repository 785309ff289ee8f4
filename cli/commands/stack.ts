/** devflow stack build: make the build and run images the buildpacks use. */
import { buildStack } from '../../builder/index.js';
import { dockerClient } from '../../core/docker-engine.js';
import type { CommandInput } from '../command-spec.js';

export async function buildStackImages({ opts }: CommandInput<{ force?: boolean }>): Promise<void> {
  const images = await buildStack({ docker: await dockerClient(), log: { line: (l) => console.log(l) }, force: opts.force });
  console.log(`stack ready: ${images.buildImage}, ${images.runImage}`);
}

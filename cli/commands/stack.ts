/** devflow stack build: make the build and run images the buildpacks use. */
import Docker from 'dockerode';
import { buildStack } from '../../builder/index.js';
import type { CommandInput } from '../command-spec.js';

export async function buildStackImages({ opts }: CommandInput<{ force?: boolean }>): Promise<void> {
  const images = await buildStack({ docker: new Docker(), log: { line: (l) => console.log(l) }, force: opts.force });
  console.log(`stack ready: ${images.buildImage}, ${images.runImage}`);
}

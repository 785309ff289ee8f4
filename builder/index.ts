/** The builder role: source tree in, artifact (image or slug) out. */
export { buildApp, chooseStrategy, imageTag, type BuildRequest, type BuildResult } from './build.js';
export { buildStack, stackImagesPresent, BUILD_IMAGE, RUN_IMAGE, type StackImages } from './stack.js';
export { removeWarmContainers } from './cnb/warm-containers.js';

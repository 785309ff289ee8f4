import { describe, expect, it } from 'vitest';
import { renderExportDockerfile, renderExportDockerignore } from './export.js';
import type { Layer } from './layers.js';

const nodeModules: Layer = { bp: 'devflow_nodejs', name: 'node_modules', types: { launch: true, build: false, cache: true } };

describe('renderExportDockerfile', () => {
  it('copies each launch layer, the app and the launcher, and sets the launch env', () => {
    const text = renderExportDockerfile([nodeModules], { NODE_ENV: 'production', X: 'a "q" $HOME' });
    expect(text.split('\n')).toEqual([
      'FROM devflow/stack-run:bookworm',
      'COPY layers/devflow_nodejs/node_modules /layers/devflow_nodejs/node_modules',
      'COPY --chown=1000:1000 app /workspace',
      'COPY export/ /cnb/',
      'ENV NODE_ENV="production"',
      'ENV X="a \\"q\\" \\$HOME"',
      'USER app',
      'WORKDIR /workspace',
      'ENTRYPOINT ["/cnb/launcher"]',
      'CMD ["web"]',
      '',
    ]);
  });
});

describe('renderExportDockerignore', () => {
  it.each([
    [[], '*\n!app\n!export\n'],
    [[nodeModules], '*\n!app\n!export\n!layers/devflow_nodejs/node_modules\n'],
  ])('sends only launch layers for %j', (layers, text) => {
    expect(renderExportDockerignore(layers)).toBe(text);
  });
});

import { describe, expect, it } from 'vitest';
import { appFromRemoteUrl } from './app-name.js';

describe('appFromRemoteUrl', () => {
  it.each([
    ['http://localhost:7070/hello.git', 'hello'],
    ['http://devflow:dfl_x@127.0.0.1:7070/my-app.git', 'my-app'],
    ['https://devflow.example.com/shop.git/', 'shop'],
    ['git@github.com:someone/Repo.git', undefined],
    ['http://localhost:7070/', undefined],
  ])('%s → %s', (url, app) => expect(appFromRemoteUrl(url)).toBe(app));
});

import { describe, expect, it } from 'vitest';
import { ownArguments, splitAppArguments } from './app-arguments.js';

const none = ownArguments([]);
const scale = ownArguments(['<changes...>']);
const rollback = ownArguments(['[version]']);
const domainAdd = ownArguments(['<domain>']);
const previewRemove = ownArguments(['<slug>']);

describe('ownArguments', () => {
  it.each([
    [[], { min: 0, max: 0 }],
    [['<changes...>'], { min: 1, max: Infinity }],
    [['[version]'], { min: 0, max: 1 }],
    [['<domain>'], { min: 1, max: 1 }],
    [['<a>', '[b...]'], { min: 1, max: Infinity }],
  ])('%j → %j', (syntax, counts) => expect(ownArguments(syntax)).toMatchObject(counts));
});

describe('splitAppArguments', () => {
  it.each([
    // command, positionals, --app, app, own arguments
    ['ps:scale --app', scale, ['web=2'], 'shop', 'shop', ['web=2']],
    ['ps:scale --app, two changes', scale, ['web=2', 'worker=1:eco'], 'shop', 'shop', ['web=2', 'worker=1:eco']],
    ['ps:scale positional', scale, ['shop', 'web=2'], undefined, 'shop', ['web=2']],
    ['ps:scale from the git remote', scale, ['web=2', 'worker=1'], undefined, undefined, ['web=2', 'worker=1']],
    ['config:unset positional', scale, ['shop', 'GREETING'], undefined, 'shop', ['GREETING']],
    ['config:unset from the git remote', scale, ['GREETING', 'OTHER'], undefined, undefined, ['GREETING', 'OTHER']],
    ['ps positional', none, ['shop'], undefined, 'shop', []],
    ['ps --app', none, [], 'shop', 'shop', []],
    ['ps from the git remote', none, [], undefined, undefined, []],
    ['ps named twice', none, ['shop'], 'shop', 'shop', []],
    ['rollback positional', rollback, ['shop'], undefined, 'shop', []],
    ['rollback positional with version', rollback, ['shop', 'v3'], undefined, 'shop', ['v3']],
    ['rollback --app with version', rollback, ['v3'], 'shop', 'shop', ['v3']],
    ['rollback with a version only: not an app name', rollback, ['3'], undefined, undefined, ['3']],
    ['domains:add positional', domainAdd, ['shop', 'www.example.com'], undefined, 'shop', ['www.example.com']],
    ['domains:add from the git remote', domainAdd, ['www.example.com'], undefined, undefined, ['www.example.com']],
    ['domains:add --app', domainAdd, ['www.example.com'], 'shop', 'shop', ['www.example.com']],
    ['previews:remove from the git remote', previewRemove, ['feature-x'], undefined, undefined, ['feature-x']],
    // One word that fits both: the command's own argument wins (ps:scale then says it is not TYPE=COUNT).
    ['ps:scale with one word', scale, ['shop'], undefined, undefined, ['shop']],
    ['previews:remove positional', previewRemove, ['shop', 'feature-x'], undefined, 'shop', ['feature-x']],
  ])('%s', (_name, own, positionals, flag, app, args) => {
    expect(splitAppArguments(own, positionals, flag)).toEqual({ app, args });
  });

  it.each([
    ['too many with --app', none, ['other'], 'shop', /too many arguments: "other" \(the app is already given by --app shop\)/],
    ['too many positionals', domainAdd, ['shop', 'a.example.com', 'b.example.com'], undefined, /too many arguments: "b.example.com"/],
    ['a change is missing', scale, [], 'shop', /missing argument <changes\.\.\.>/],
    ['not an app, too many', none, ['Shop'], undefined, /too many arguments: "Shop"/],
  ])('refuses: %s', (_name, own, positionals, flag, message) => {
    expect(() => splitAppArguments(own, positionals, flag)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import type { CommandInput, CommandSpec } from './command-spec.js';
import { COMMANDS, GROUPS } from './commands.js';
import { buildProgram } from './program.js';

/** Parses a command line against one command and returns what its code would receive. */
async function parse(spec: Omit<CommandSpec, 'load'>, argv: string[]): Promise<CommandInput> {
  let received: CommandInput | undefined;
  const program = buildProgram([{ ...spec, load: async () => (input) => void (received = input) }], {}, { quietErrors: true });
  await program.parseAsync(argv, { from: 'user' });
  return received!;
}

const scale = { name: 'ps:scale', description: '', app: true, json: true, args: [['<changes...>']] } satisfies Omit<CommandSpec, 'load'>;
const create = { name: 'apps:create', description: '', args: [['<name>']] } satisfies Omit<CommandSpec, 'load'>;

describe('buildProgram', () => {
  it.each([
    [['ps:scale', 'web=2', '--app', 'shop'], { app: 'shop', args: ['web=2'] }],
    [['ps:scale', '-a', 'shop', 'web=2', 'worker=1:eco'], { app: 'shop', args: ['web=2', 'worker=1:eco'] }],
    [['ps:scale', 'shop', 'web=2', '--json'], { app: 'shop', args: ['web=2'], opts: { json: true } }],
  ])('%j', async (argv, expected) => {
    expect(await parse(scale, argv)).toMatchObject(expected);
  });

  it('gives a command without an app its arguments as commander checked them', async () => {
    expect(await parse(create, ['apps:create', 'shop'])).toEqual({ app: '', args: ['shop'], opts: {} });
    await expect(parse(create, ['apps:create'])).rejects.toMatchObject({ code: 'commander.missingArgument' });
  });

  it('refuses extra arguments of an app command as a usage error', async () => {
    const show = { name: 'ps', description: '', app: true };
    await expect(parse(show, ['ps', 'other', '--app', 'shop'])).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('too many arguments: "other"') });
    await expect(parse(show, ['ps', 'shop', 'extra'])).rejects.toMatchObject({ code: 'commander.excessArguments' });
  });

  it('declares every command of the table once, and groups', () => {
    const program = buildProgram(COMMANDS, GROUPS);
    const names = program.commands.flatMap((c) => [c.name(), ...c.commands.map((s) => `${c.name()} ${s.name()}`)]);
    for (const spec of COMMANDS) expect(names).toContain(spec.name);
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});

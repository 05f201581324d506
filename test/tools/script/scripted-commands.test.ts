/**
 * ScriptedCommands plays a script's local commands on the device clock through the local-command
 * runner, on a real flash (LocalFeatures in a temporary directory): each at its time, outcomes in
 * script order, a refusal reported rather than thrown, nothing after close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runLocalCommand } from '../../../firmware/features/local-command-runner.js';
import { VirtualClock } from '../../../core/clock.js';
import { LocalFeatures } from '../../../firmware/features/local-features.js';
import { MAX_TIMERS } from '../../../firmware/features/notifications-schema.js';
import { parseDeviceScript } from '../../../tools/script/device-script.js';
import { ScriptedCommands, type CommandOutcome } from '../../../tools/script/scripted-commands.js';

let dir: string;
let clock: VirtualClock;
let features: LocalFeatures;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-scripted-'));
  clock = new VirtualClock(0);
  features = await LocalFeatures.open({ dir, clock });
});
afterEach(async () => {
  await features.close();
  rmSync(dir, { recursive: true, force: true });
});

function player(script: string): { commands: ScriptedCommands; outcomes: CommandOutcome[] } {
  const parsed = parseDeviceScript(script, ['action']);
  const commands = new ScriptedCommands(parsed.commands, clock, (c) => runLocalCommand({ features, setVolume: (v) => v }, c));
  const outcomes: CommandOutcome[] = [];
  commands.on('done', (o) => outcomes.push(o));
  return { commands, outcomes };
}

test('each command runs at its device time, its change on flash by idle(); outcomes in script order', async () => {
  const { commands, outcomes } = player(
    ['2:{"Action":"ADD_LIST_ITEM","List":"todo","Text":"call mum"}', '1:{"Action":"START_TIMER","DurationSeconds":60}', '1:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}'].join('\n'),
  );
  commands.start();
  expect(commands.remaining).toBe(3);
  await clock.advanceTo(999);
  await commands.idle();
  expect(outcomes).toEqual([]);
  await clock.advanceTo(1000);
  await commands.idle();
  expect(outcomes.map((o) => [o.at, o.command.line, o.command.command.Action])).toEqual([
    [1000, 2, 'START_TIMER'],
    [1000, 3, 'SET_DO_NOT_DISTURB'],
  ]);
  // Started at 1 s of device time: due 60 s later on the device's wall clock.
  expect(features.timers.list()[0]?.dueAt).toBe(clock.wallNow() + 60_000);
  expect(features.settings.get().doNotDisturb).toBe(true);
  await clock.advanceTo(5000);
  await commands.idle();
  expect(outcomes.map((o) => o.command.line)).toEqual([2, 3, 1]);
  expect(outcomes[2]?.result).toMatchObject({ list: 'todo' });
  expect(features.lists.snapshot().todo.map((i) => i.text)).toEqual(['call mum']);
  expect(commands.remaining).toBe(0);
});

test('a refusal is an outcome with the feature error; the script goes on', async () => {
  const timers = Array.from({ length: MAX_TIMERS + 1 }, () => '1:{"Action":"START_TIMER","DurationSeconds":60}');
  const { commands, outcomes } = player([...timers, '2:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}'].join('\n'));
  commands.start();
  await clock.advanceTo(2000);
  await commands.idle();
  expect(outcomes).toHaveLength(MAX_TIMERS + 2);
  expect(outcomes.filter((o) => o.error).map((o) => [o.command.line, o.error?.code])).toEqual([[MAX_TIMERS + 1, 'FEATURE_LIMIT_EXCEEDED']]);
  expect(features.timers.list()).toHaveLength(MAX_TIMERS);
  expect(features.settings.get().doNotDisturb).toBe(true);
});

test('nothing runs after close', async () => {
  const { commands, outcomes } = player('1:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}');
  commands.start();
  await commands.close();
  await clock.advanceTo(2000);
  expect(outcomes).toEqual([]);
  expect(features.settings.get().doNotDisturb).toBe(false);
});

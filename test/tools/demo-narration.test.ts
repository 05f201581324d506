import { commandLines } from '../../tools/commands/demo-narration.js';

const FLASH = ['npx', 'echosim', 'flash', '--device', 'demo-echo-1', '--room-profile', 'examples/room-profile.json', '--data-dir', '/tmp/echosim-demo-abc/cloud'];
/** The command a shell reads from the lines (continuations joined). */
const asTyped = (lines: string[]): string => lines.map((l) => l.replace(/ \\$/, '').trim()).join(' ');

describe('commandLines', () => {
  test('one indented line when it fits or when there is no terminal width', () => {
    expect(commandLines(['npx', 'echosim', 'demo'], 80)).toEqual(['  npx echosim demo']);
    expect(commandLines(FLASH)).toEqual([`  ${FLASH.join(' ')}`]);
  });

  test('wrapped to the width with " \\" continuations, each option on the line of its value', () => {
    const lines = commandLines(FLASH, 60);
    expect(lines).toEqual([
      '  npx echosim flash --device demo-echo-1 \\',
      '      --room-profile examples/room-profile.json \\',
      '      --data-dir /tmp/echosim-demo-abc/cloud',
    ]);
    expect(asTyped(lines)).toBe(FLASH.join(' '));
    for (const width of [20, 40, 80, 110]) {
      const wrapped = commandLines(FLASH, width);
      expect(asTyped(wrapped)).toBe(FLASH.join(' '));
      // Only a line holding one word (or one option and its value) longer than the width may pass it.
      for (const l of wrapped) if (l.length > width - 1) expect(l.trim().replace(/ \\$/, '')).toMatch(/^(--\S+ )?\S+$/);
    }
  });
});

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeGpioset {
  readonly dir: string;
  /** An environment whose PATH finds the fake first, answering --version as libgpiod `version`. */
  env(version: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Every recorded call but --version: its pid and argument list. */
  calls(): Array<{ pid: number; args: string[] }>;
  /** Forgets the recorded calls. */
  reset(): void;
  cleanup(): void;
}

/**
 * A fake `gpioset` in a temp dir: it answers --version as libgpiod $FAKE_GPIOSET_VERSION, records
 * "pid args..." for every other call, then holds (sleeps) until killed, like the real tool holding a
 * line. With $FAKE_GPIOSET_FAIL set it exits 1 with the real tool's "busy" message. The process is
 * the lowest layer; tests check the arguments it was given and whether it is still alive.
 */
export function fakeGpioset(): FakeGpioset {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-gpio-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(
    path.join(dir, 'gpioset'),
    `#!/bin/sh
if [ "$1" = "--version" ]; then
  printf 'gpioset (libgpiod) v%s\\nCopyright (C) 2017-2023 Bartosz Golaszewski\\n' "$FAKE_GPIOSET_VERSION"
  exit 0
fi
echo "$$ $*" >> "$FAKE_GPIOSET_LOG"
if [ -n "$FAKE_GPIOSET_FAIL" ]; then
  echo "gpioset: error setting the GPIO line values: Device or resource busy" >&2
  exit 1
fi
exec sleep 600
`,
  );
  chmodSync(path.join(dir, 'gpioset'), 0o755);
  return {
    dir,
    env: (version, extra = {}) => ({
      ...process.env,
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      FAKE_GPIOSET_VERSION: version,
      FAKE_GPIOSET_LOG: log,
      ...extra,
    }),
    calls: () => {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const [pid, ...args] = l.split(' ');
          return { pid: Number(pid), args };
        });
    },
    reset: () => rmSync(log, { force: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether a process id is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

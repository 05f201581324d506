import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (tools/setup.sh installs it); playwright-core drives it and downloads no browser. */
export const CHROMIUM = process.env.ECHOSIM_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots the browser tests take (gitignored). */
export const ARTIFACTS = path.join(process.cwd(), 'test-artifacts');
export const CLI = path.join(process.cwd(), 'dist', 'tools', 'cli.js');

export async function launchBrowser(args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run tools/setup.sh (it installs Debian's chromium), or set ECHOSIM_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', ...args] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The ring's LED colours as drawn on the page (#rrggbb, LED 0 first). */
export function ringColors(page: Page, selector = '#ring circle.led'): Promise<string[]> {
  return page.$$eval(selector, (leds) => leds.map((l) => l.getAttribute('fill') ?? ''));
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Every LED red (mic-off). */
export const allRed = (colors: readonly string[]): boolean =>
  colors.length > 0 && colors.every((c) => { const [r, g, b] = rgb(c); return r > 150 && g < 60 && b < 60; });

/** Every LED blue or cyan, none red (listening). */
export const allBlue = (colors: readonly string[]): boolean =>
  colors.length > 0 && colors.every((c) => { const [r, , b] = rgb(c); return b > 150 && r < 60; });

/** A running `echosim` command whose stdout and stderr are read as they come. */
export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, limitMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

export function startCliProcess(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ECHOSIM_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async waitFor(pattern, limitMs = 60_000) {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in the output of echosim ${args.join(' ')}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

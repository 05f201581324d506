import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { isKnownButtonToken, resolveButton } from './names.js';
import { BUTTON_NAMES } from './types.js';
import type { ButtonDriver, ButtonEdge, ButtonName } from './types.js';

/** One press of a button script: held from `startMs` for `holdMs` (ms after the script's origin). */
export interface ScriptedPress {
  readonly button: ButtonName;
  readonly startMs: number;
  readonly holdMs: number;
  /** The entry as written, for messages. */
  readonly entry: string;
}

/** A press without a hold time is a click of this length. */
export const DEFAULT_CLICK_SECONDS = 0.1;

const EXAMPLE = '"1.5:mic-off,4.0:mic-off,6.0:action,10:action:8"';
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** One entry of a button script, with where it was written (for messages: "entry 2", "line 3"). */
export interface ButtonScriptEntry {
  readonly text: string;
  readonly where: string;
}

/**
 * Parses a button script: comma-separated entries `SECONDS:BUTTON[:HOLD_SECONDS]`, e.g.
 * `"1.5:mic-off,6:action,10:action:8"` (mic-off clicked at 1.5 s, action clicked at 6 s, action held
 * for 8 s from 10 s). Times are device/audio seconds from the script's origin; a press without a hold
 * is a 0.1 s click. Buttons may be given by alias (`mic`, `vol+`/`+`, `vol-`/`-`); `mic-off` on a
 * model without one (the Trio) means its `mute` key.
 *
 * Everything is checked up front, so a typo fails the run before it starts rather than silently
 * doing nothing minutes in (see parseButtonEntries). The result is sorted by start time.
 */
export function parseButtonScript(text: string, buttons: readonly ButtonName[]): ScriptedPress[] {
  const entries = text.split(',').map((e) => e.trim());
  // A trailing comma is harmless; an empty entry before others is a typo worth reporting.
  while (entries.length > 0 && entries[entries.length - 1] === '') entries.pop();
  return parseButtonEntries(entries.map((text, i) => ({ text, where: `entry ${i + 1}` })), buttons);
}

/**
 * Parses button entries already split out of a script (a caller's own script format may hold other
 * lines besides presses). Malformed entries, unknown buttons, buttons this model lacks, negative or
 * non-finite times, and presses of one button that overlap (or touch: the button would never be seen
 * released in between) are 'BUTTON_SCRIPT_INVALID', naming the entry by its `where`. The result is
 * sorted by start time.
 */
export function parseButtonEntries(entries: readonly ButtonScriptEntry[], buttons: readonly ButtonName[]): ScriptedPress[] {
  const parsed: Array<{ press: ScriptedPress; at: ButtonScriptEntry; index: number }> = entries.map((at, index) => ({
    press: parseEntry(at, index, buttons),
    at,
    index,
  }));
  parsed.sort((a, b) => a.press.startMs - b.press.startMs);
  const lastOf = new Map<ButtonName, ScriptedPress>();
  for (const { press: p, at, index } of parsed) {
    const prev = lastOf.get(p.button);
    if (prev && p.startMs <= prev.startMs + prev.holdMs) {
      const until = (prev.startMs + prev.holdMs) / 1000;
      throw invalid(at, index, `presses ${p.button} while "${prev.entry}" still holds it (until ${until} s)`, buttons);
    }
    lastOf.set(p.button, p);
  }
  return parsed.map((x) => x.press);
}

function parseEntry(at: ButtonScriptEntry, index: number, buttons: readonly ButtonName[]): ScriptedPress {
  const entry = at.text;
  if (entry === '') throw invalid(at, index, 'is empty', buttons);
  const parts = entry.split(':').map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) throw invalid(at, index, 'is not SECONDS:BUTTON[:HOLD_SECONDS]', buttons);
  const [timeText = '', token = '', holdText] = parts;
  const start = seconds(timeText, 'time', at, index, buttons);
  if (!isKnownButtonToken(token)) throw invalid(at, index, `names no button ("${token}")`, buttons);
  const button = resolveButton(token, buttons);
  if (button === undefined) throw invalid(at, index, `names ${token}, which this model does not have`, buttons);
  const hold = holdText === undefined ? DEFAULT_CLICK_SECONDS : seconds(holdText, 'hold', at, index, buttons);
  if (hold <= 0) throw invalid(at, index, `holds for ${holdText ?? ''} s; a hold must be longer than 0`, buttons);
  return { button, startMs: Math.round(start * 1000), holdMs: Math.max(1, Math.round(hold * 1000)), entry };
}

/** A script's number of seconds (`1.5`, `10`, `.25`), or NaN for anything else (`1e3`, `inf`, ``). */
export function scriptSeconds(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

function seconds(text: string, what: 'time' | 'hold', at: ButtonScriptEntry, index: number, buttons: readonly ButtonName[]): number {
  const v = scriptSeconds(text);
  if (!Number.isFinite(v)) throw invalid(at, index, `has ${what} "${text}", which is not a number of seconds`, buttons);
  if (v < 0) throw invalid(at, index, `has a negative ${what} (${text} s)`, buttons);
  return v;
}

function invalid(at: ButtonScriptEntry, index: number, reason: string, buttons: readonly ButtonName[]): EchosimError {
  const others = BUTTON_NAMES.filter((b) => !buttons.includes(b));
  const entry = at.text;
  return new EchosimError('BUTTON_SCRIPT_INVALID', `button script ${at.where} "${entry}" ${reason}`, {
    hint:
      `write entries as SECONDS:BUTTON[:HOLD_SECONDS] separated by commas, e.g. ${EXAMPLE}; ` +
      `this model's buttons: ${buttons.join(', ')} (aliases: mic, vol+ or +, vol- or -)` +
      (others.length > 0 ? `; not on this model: ${others.join(', ')}` : ''),
    details: { entry, index, where: at.where, reason },
  });
}

export interface ScriptedButtonsOptions {
  /** Clock time the script's 0 s corresponds to, ms. Default 0 (device time starts at 0). */
  readonly originMs?: number;
}

interface ScheduledEdge {
  readonly edge: ButtonEdge;
  /** The press this edge ends, for release edges. */
  readonly ends: boolean;
}

/**
 * Plays a parsed button script on the Clock: each press is a clean down edge at its start and an up
 * edge `holdMs` later, at absolute clock times (`originMs` + script time), so a virtual-clock run
 * presses buttons at exactly the audio sample the script names. Edges whose time has already passed
 * when `start()` is called are delivered at once, in order, with their scripted times.
 *
 * One timer is armed at a time (for the next edge), each computed from the absolute due time, so
 * timer lateness on a real clock never accumulates.
 */
export class ScriptedButtons implements ButtonDriver {
  private readonly edges: ScheduledEdge[];
  private next = 0;
  private timer: TimerHandle | undefined;
  private onEdge: ((e: ButtonEdge) => void) | undefined;
  private done = 0;
  private closed = false;

  constructor(
    private readonly presses: readonly ScriptedPress[],
    private readonly clock: Clock,
    options: ScriptedButtonsOptions = {},
  ) {
    const origin = options.originMs ?? 0;
    const edges: ScheduledEdge[] = [];
    for (const p of presses) {
      edges.push({ edge: { button: p.button, pressed: true, at: origin + p.startMs }, ends: false });
      edges.push({ edge: { button: p.button, pressed: false, at: origin + p.startMs + p.holdMs }, ends: true });
    }
    // Stable sort: at equal times, edges keep script order.
    this.edges = edges.sort((a, b) => a.edge.at - b.edge.at);
  }

  /** Parses `text` for a model with `buttons` and wraps it (see parseButtonScript). */
  static fromScript(text: string, buttons: readonly ButtonName[], clock: Clock, options?: ScriptedButtonsOptions): ScriptedButtons {
    return new ScriptedButtons(parseButtonScript(text, buttons), clock, options);
  }

  /** Presses not yet finished (released); 0 once the whole script has played. */
  get remaining(): number {
    return this.presses.length - this.done;
  }

  /** Clock time of the last edge, ms (undefined for an empty script): a runner can advance to it. */
  get endsAt(): number | undefined {
    return this.edges[this.edges.length - 1]?.edge.at;
  }

  start(onEdge: (e: ButtonEdge) => void): void {
    if (this.onEdge) throw new Error('ScriptedButtons.start() was already called');
    this.onEdge = onEdge;
    this.arm();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const first = this.edges[this.next];
    if (this.closed || !first) return;
    this.timer = this.clock.setTimeout(() => this.fire(), first.edge.at - this.clock.now());
  }

  /** Delivers every edge that is due (several can share a millisecond), then arms the next. */
  private fire(): void {
    this.timer = undefined;
    for (;;) {
      const e = this.edges[this.next];
      if (this.closed || !e || e.edge.at > this.clock.now()) break;
      this.next++;
      if (e.ends) this.done++;
      this.onEdge?.(e.edge);
    }
    this.arm();
  }
}

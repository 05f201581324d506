import type { ButtonEdge, ButtonName } from '../../hal/buttons/types.js';
import { ButtonLines, type LineState } from './button-lines.js';

interface Line extends LineState {
  /** The last raw level seen (may differ from `stable` during a lockout). */
  raw: boolean;
  /** Edges are not believed until this time (clock ms). */
  lockedUntil: number;
}

/**
 * Leading-edge debouncing: the first edge that changes a button's level is believed at once, then the
 * line is locked for `debounceMs` while the contacts bounce; when the lock ends, a level that differs
 * from the accepted one (a release that came during the lock) is accepted then.
 *
 * The device uses this rather than stable-level debouncing (Debouncer) because a press must act at
 * the instant it happens: the mic-off button cuts the microphones at the sample it was pressed, not
 * 20 ms of audio later. The price, a spurious press from a sub-millisecond glitch on a noisy line,
 * is what the lock bounds; real tact switches do not produce isolated glitches.
 */
export class LeadingDebouncer extends ButtonLines<Line> {
  edge(e: ButtonEdge): void {
    if (this.stopped) return;
    const line = this.line(e.button);
    line.raw = e.pressed;
    if (e.at < line.lockedUntil) return; // bouncing: settled when the lock ends
    if (e.pressed === line.stable) return;
    this.accept(e.button, line, e.at);
  }

  protected newLine(): Line {
    return { stable: false, raw: false, lockedUntil: Number.NEGATIVE_INFINITY, timer: undefined };
  }

  private accept(button: ButtonName, line: Line, at: number): void {
    line.stable = line.raw;
    line.lockedUntil = at + this.debounceMs;
    this.disarm(line);
    line.timer = this.clock.setTimeout(() => {
      line.timer = undefined;
      if (!this.stopped && line.raw !== line.stable) this.accept(button, line, line.lockedUntil);
    }, line.lockedUntil - this.clock.now());
    this.onStable({ button, pressed: line.stable, at });
  }
}

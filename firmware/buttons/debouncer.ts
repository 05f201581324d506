import type { ButtonEdge, ButtonName } from '../../hal/buttons/types.js';
import { ButtonLines, type LineState } from './button-lines.js';

export { DEFAULT_DEBOUNCE_MS } from './button-lines.js';

interface Line extends LineState {
  /** A different level seen since, and when it began. */
  candidate: { pressed: boolean; since: number } | undefined;
  /** Latest edge time seen, so out-of-order times cannot shorten a level. */
  lastAt: number;
}

/**
 * Per-button stable-level debouncing: a new level is accepted only once it has held for
 * `debounceMs`; a bounce that flips back sooner never produces an edge.
 *
 * Decisions use the edges' own times, not the time they are delivered: when a burst arrives late
 * but in one piece (a busy event loop, gpiomon's batched output), a level that lasted long enough
 * between two of its edges is still accepted. A timer on the Clock accepts the last level of a burst
 * once it has held. An accepted edge carries the time its level began (when the contact closed), so
 * hold durations measured downstream are the real ones, not shifted by the debounce delay.
 */
export class Debouncer extends ButtonLines<Line> {
  /** Feeds one raw edge. */
  edge(e: ButtonEdge): void {
    if (this.stopped) return;
    const line = this.line(e.button);
    const at = Math.max(e.at, line.lastAt);
    line.lastAt = at;
    // The level that was waiting: did it hold long enough before this edge ended it?
    if (line.candidate && at - line.candidate.since >= this.debounceMs) this.accept(e.button, line);
    if (e.pressed === line.stable) {
      // Back to the accepted level before the other one settled: a bounce, forget it.
      this.disarm(line);
      line.candidate = undefined;
    } else if (!line.candidate) {
      line.candidate = { pressed: e.pressed, since: at };
      this.disarm(line);
      const button = e.button;
      const due = at + this.debounceMs;
      line.timer = this.clock.setTimeout(() => {
        line.timer = undefined;
        if (line.candidate && this.clock.now() - line.candidate.since >= this.debounceMs) this.accept(button, line);
      }, due - this.clock.now());
    }
    // else: the same new level reported again (a missed opposite edge); it keeps its start time.
  }

  protected newLine(): Line {
    return { stable: false, candidate: undefined, timer: undefined, lastAt: Number.NEGATIVE_INFINITY };
  }

  private accept(button: ButtonName, line: Line): void {
    const c = line.candidate;
    if (!c) return;
    this.disarm(line);
    line.candidate = undefined;
    line.stable = c.pressed;
    this.onStable({ button, pressed: c.pressed, at: c.since });
  }
}

/**
 * A progress bar on stderr for long runs. On a terminal it redraws one line; elsewhere (CI logs) it
 * prints a line at every 10% so logs stay short.
 */
export class ProgressBar {
  private done = 0;
  private lastDecile = -1;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Steps done so far. */
  get count(): number {
    return this.done;
  }

  tick(detail = ''): void {
    this.done++;
    if (!this.enabled || this.total === 0) return;
    const frac = this.done / this.total;
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = frac > 0 ? elapsed / frac - elapsed : 0;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const text = `${this.label} ${bar} ${this.done}/${this.total} ${(frac * 100).toFixed(0)}% eta ${eta.toFixed(0)}s ${detail}`;
      this.stream.write(`\r${text.slice(0, (this.stream.columns ?? 100) - 1).padEnd(Math.min(this.stream.columns ?? 100, 100) - 1)}`);
      if (this.done === this.total) this.stream.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        const left = this.done < this.total && this.done > 0 ? `, eta ${eta.toFixed(0)} s` : '';
        this.stream.write(`${this.label}: ${this.done}/${this.total} (${(frac * 100).toFixed(0)}%), ${elapsed.toFixed(1)} s elapsed${left}${detail ? ` ${detail}` : ''}\n`);
      }
    }
  }
}

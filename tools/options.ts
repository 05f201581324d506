import { InvalidArgumentError } from 'commander';
import type { ChannelPolicy } from '../hal/mic/types.js';

/** Option parsers shared by the commands: bad values are refused with a message saying what fits. */
export function parseScore(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.5');
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of at least 0');
  return n;
}

export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
}

/** The broker of the fleet benchmarks: the cloud's embedded one, or a real Mosquitto. */
export function parseBenchBroker(value: string): 'embedded' | 'mosquitto' {
  if (value !== 'embedded' && value !== 'mosquitto') throw new InvalidArgumentError('expected embedded or mosquitto');
  return value;
}

export function parseChannelPolicy(value: string): ChannelPolicy {
  if (value === 'mean') return { kind: 'mean' };
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a channel number (0, 1, ...) or "mean"');
  return { kind: 'channel', index: n };
}

/** Writes one JSON object per line to stdout. */
export function printJsonLine(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

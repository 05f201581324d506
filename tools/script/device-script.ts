import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { LocalCommandSchema, type LocalCommand } from '../../cloud-link/protocol/local-command.js';
import { EchosimError, isEchosimError } from '../../core/errors.js';
import { parseButtonEntries, scriptSeconds, type ButtonScriptEntry, type ScriptedPress } from '../../hal/buttons/scripted.js';
import type { ButtonName } from '../../hal/buttons/types.js';

/** A local command of a device script, run at `atMs` (device time from the script's origin). */
export interface ScriptedCommand {
  readonly atMs: number;
  readonly command: LocalCommand;
  /** Line of the script it was written on (1-based). */
  readonly line: number;
  /** The entry as written, for messages. */
  readonly entry: string;
}

/** A parsed device script: the button presses (for the hal's ScriptedButtons) and the local commands. */
export interface DeviceScript {
  readonly presses: ScriptedPress[];
  /** In time order; commands at the same time keep the order they were written in. */
  readonly commands: ScriptedCommand[];
}

/** The longest script read, and the most entries it may hold: checked before anything is parsed. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
export const MAX_SCRIPT_ENTRIES = 10_000;

const ACTIONS = LocalCommandSchema.options.map((o) => o.shape.Action.value);
const EXAMPLE = '"0.5:{"Action":"SET_DO_NOT_DISTURB","Enabled":true},1:{"Action":"START_TIMER","DurationSeconds":10},12:action"';
const HINT =
  'Write one entry per line (or several separated by commas): SECONDS:BUTTON[:HOLD_SECONDS] to press a button, or ' +
  "SECONDS:{JSON} to run a local command, the same JSON as SendDeviceCommand's Command " +
  `(docs/home-assistant.md#local-commands; Action one of ${ACTIONS.join(', ')}), e.g. ${EXAMPLE}; # starts a comment. ` +
  'Nothing was started.';

/**
 * The script text of `--script VALUE`: VALUE itself, or with `@FILE` the file's content (at most
 * MAX_SCRIPT_BYTES). `source` names it in messages.
 */
export function readDeviceScript(value: string): { text: string; source: string } {
  if (!value.startsWith('@')) return { text: value, source: '--script' };
  const file = value.slice(1);
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SCRIPT_BYTES) throw invalid(`${file} is ${size} bytes; a script may have at most ${MAX_SCRIPT_BYTES}`, {});
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (isEchosimError(err)) throw err;
    throw invalid(`cannot read the script file ${file}: ${(err as Error).message}`, {});
  }
  return { text, source: file };
}

/**
 * Parses a device script (`echosim device --script`): lines of comma-separated entries, each
 * `SECONDS:BUTTON[:HOLD_SECONDS]` (a button press, parsed by the hal: hal/buttons/scripted.ts) or
 * `SECONDS:{JSON}` (a local command, checked by the one LocalCommand schema of the device-cloud
 * contract, cloud-link/protocol/local-command.ts, as the cloud's SendDeviceCommand checks it). `#`
 * outside a JSON string starts a comment; blank lines are skipped. A JSON command stays on its line.
 *
 * The whole script is checked before anything starts: a bad entry is DEVICE_SCRIPT_INVALID (a local
 * command) or BUTTON_SCRIPT_INVALID (a press), naming `source` and the line.
 */
export function parseDeviceScript(text: string, buttons: readonly ButtonName[], source = '--script'): DeviceScript {
  if (Buffer.byteLength(text) > MAX_SCRIPT_BYTES) throw invalid(`${source} is longer than ${MAX_SCRIPT_BYTES} bytes`, { source });
  const pressEntries: ButtonScriptEntry[] = [];
  const commands: ScriptedCommand[] = [];
  let count = 0;
  text.split(/\r?\n/).forEach((lineText, i) => {
    const line = i + 1;
    const entries = splitLine(lineText, source, line);
    count += entries.length;
    if (count > MAX_SCRIPT_ENTRIES) throw invalid(`${source} has more than ${MAX_SCRIPT_ENTRIES} entries`, { source, line });
    entries.forEach((entry, e) => {
      const where = entries.length > 1 ? `line ${line} entry ${e + 1}` : `line ${line}`;
      const colon = entry.indexOf(':');
      const rest = colon < 0 ? '' : entry.slice(colon + 1).trim();
      if (rest.startsWith('{')) commands.push(parseCommand(entry.slice(0, colon).trim(), rest, { source, line, where, entry }));
      else pressEntries.push({ text: entry, where });
    });
  });
  let presses: ScriptedPress[];
  try {
    presses = parseButtonEntries(pressEntries, buttons);
  } catch (err) {
    if (!isEchosimError(err, 'BUTTON_SCRIPT_INVALID')) throw err;
    throw new EchosimError('BUTTON_SCRIPT_INVALID', `${source}: ${err.message}`, {
      hint: `${err.hint ?? ''}; a line may also be a local command, SECONDS:{JSON} (docs/home-assistant.md#local-commands). Nothing was started.`,
      details: { source, ...err.details } });
  }
  // Stable: commands at one time run in the order written.
  return { presses, commands: commands.sort((a, b) => a.atMs - b.atMs) };
}

interface Where {
  readonly source: string;
  readonly line: number;
  readonly where: string;
  readonly entry: string;
}

function parseCommand(timeText: string, json: string, at: Where): ScriptedCommand {
  const seconds = scriptSeconds(timeText);
  if (!Number.isFinite(seconds)) throw invalidAt(at, `has time "${timeText}", which is not a number of seconds`);
  if (seconds < 0) throw invalidAt(at, `has a negative time (${timeText} s)`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw invalidAt(at, `is not a JSON local command: ${(err as Error).message}`);
  }
  const parsed = LocalCommandSchema.safeParse(value);
  if (!parsed.success) throw invalidAt(at, `is not a valid local command: ${z.prettifyError(parsed.error).replace(/\n\s*/g, '; ')}`);
  return { atMs: Math.round(seconds * 1000), command: parsed.data, line: at.line, entry: at.entry };
}

/**
 * One line's entries: split at commas outside JSON objects and strings, up to a `#` outside them.
 * Trailing empty entries are dropped (a trailing comma is harmless); an empty entry before others is
 * kept, so the button parser reports it.
 */
function splitLine(text: string, source: string, line: number): string[] {
  const entries: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 0;
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === '#') {
      end = i;
      break;
    } else if (c === ',' && depth === 0) {
      entries.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth > 0 || inString) throw invalidAt({ source, line, where: `line ${line}`, entry: text.trim() }, 'has a { that is not closed on its line (a local command is one line of JSON)');
  entries.push(text.slice(start, end).trim());
  while (entries.length > 0 && entries[entries.length - 1] === '') entries.pop();
  return entries;
}

function invalidAt(at: Where, reason: string): EchosimError {
  return invalid(`${at.source} ${at.where} "${at.entry}" ${reason}`, { source: at.source, line: at.line, entry: at.entry, reason });
}

function invalid(message: string, details: Record<string, unknown>): EchosimError {
  return new EchosimError('DEVICE_SCRIPT_INVALID', message, { hint: HINT, details });
}

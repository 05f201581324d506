import { InvalidArgumentError, type Command, type Option } from 'commander';
import { EchosimError } from '../../core/errors.js';
import type { ConfigValue } from './config-file.js';

/**
 * Fills a command's options from config values, under the rule "a flag on the command line wins":
 * an option whose value came from the command line (or its environment variable) is left alone;
 * every other one takes the file's value, parsed by the option's own parser, so a value in the file
 * is held to exactly the same rules as the same value typed as a flag. A value the parser refuses is
 * CONFIG_INVALID naming the field. Values are all checked before any is set.
 *
 * `skip` names options to leave alone whatever their source (e.g. the cloud settings when
 * `--offline` was given on the command line).
 */
export function applyConfigValues(cmd: Command, file: string, values: readonly ConfigValue[], skip: ReadonlySet<string> = new Set()): void {
  const byName = new Map<string, Option>();
  for (const o of cmd.options as readonly Option[]) if (!byName.has(o.attributeName())) byName.set(o.attributeName(), o);
  const updates: Array<[string, unknown]> = [];
  const problems: string[] = [];
  for (const v of values) {
    if (skip.has(v.option)) continue;
    const source = cmd.getOptionValueSource(v.option);
    if (source === 'cli' || source === 'env') continue;
    const option = byName.get(v.option);
    if (!option) throw new Error(`config field ${v.field} maps to an unknown option ${v.option}`);
    try {
      updates.push([v.option, parse(option, v.value)]);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) && !(err instanceof EchosimError)) throw err;
      problems.push(`${v.field}: ${err.message.replace(/^error: /, '')}`);
    }
  }
  if (problems.length > 0) {
    throw new EchosimError('CONFIG_INVALID', `${file}: ${problems.length === 1 ? 'a field is' : `${problems.length} fields are`} invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the fields named above (each takes what its command-line flag takes; see --help).',
      details: { file },
    });
  }
  for (const [name, value] of updates) cmd.setOptionValueWithSource(name, value, 'config');
}

function parse(option: Option, value: ConfigValue['value']): unknown {
  if (typeof value === 'boolean') {
    if (option.required || option.optional) throw new InvalidArgumentError(`expected a value, not ${String(value)}`);
    return value;
  }
  if (!option.required && !option.optional) throw new InvalidArgumentError('expected true or false');
  const parser = option.parseArg as ((v: string, previous: unknown) => unknown) | undefined;
  if (Array.isArray(value)) {
    const list = value as readonly string[];
    if (!parser) return [...list];
    let acc: unknown = option.variadic ? [] : option.defaultValue;
    for (const item of list) acc = parser(item, option.variadic && !Array.isArray(acc) ? [] : acc);
    return acc;
  }
  const text = String(value);
  return parser ? parser(text, option.variadic ? [] : undefined) : text;
}

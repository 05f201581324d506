import { z } from 'zod';
import {
  ALARM_REPEATS,
  ALARM_TIME_PATTERN,
  LIST_NAMES,
  MAX_ITEM_TEXT,
  MAX_TIMER_MS,
  MAX_VOLUME,
  MIN_TIMER_MS,
  MIN_VOLUME,
} from './local-feature-limits.js';

/**
 * One change to a device's local features (docs/home-assistant.md#local-commands): the volume,
 * do-not-disturb, the request earcons, a timer, an alarm or a list item. The same command, checked
 * by this one schema, comes from a device's `--script`, from the cloud's SendDeviceCommand
 * operation (as a `local-command` job, jobs.ts) and from Home Assistant (through that operation);
 * the device runs it in one place (firmware/features/local-command-runner.ts). Every number and string is
 * bounded by the feature's own limits (local-feature-limits.ts).
 */
const Label = z.string().trim().min(1).max(100);

export const LocalCommandSchema = z
  .discriminatedUnion('Action', [
    z.strictObject({ Action: z.literal('SET_VOLUME'), Volume: z.int().min(MIN_VOLUME).max(MAX_VOLUME) }),
    z.strictObject({ Action: z.literal('SET_DO_NOT_DISTURB'), Enabled: z.boolean() }),
    z.strictObject({ Action: z.literal('SET_EARCONS'), StartOfRequest: z.boolean(), EndOfRequest: z.boolean() }),
    z.strictObject({
      Action: z.literal('START_TIMER'),
      DurationSeconds: z.int().min(MIN_TIMER_MS / 1000).max(MAX_TIMER_MS / 1000),
      Label: Label.optional(),
    }),
    z.strictObject({
      Action: z.literal('SET_ALARM'),
      Time: z.string().regex(ALARM_TIME_PATTERN, 'must be HH:MM on the 24-hour clock'),
      Repeat: z.enum(ALARM_REPEATS).optional(),
      Label: Label.optional(),
    }),
    z.strictObject({
      Action: z.literal('ADD_LIST_ITEM'),
      List: z.enum(LIST_NAMES),
      Text: z.string().trim().min(1).max(MAX_ITEM_TEXT),
    }),
  ])
  .meta({ title: 'LocalCommand', description: "A change to one of the device's local features." });
export type LocalCommand = z.infer<typeof LocalCommandSchema>;
export type LocalAction = LocalCommand['Action'];

/**
 * `echosim flash --device SERIAL_OR_ARN (--room-profile FILE | --network-profile FILE)`: sets one
 * device's desired room and/or network profile directly (the FlashDevice operation), overriding what
 * its room would give it — for bringing up a device on the bench without building rooms first.
 *
 * The files are checked here before anything is sent: JSON syntax errors come back with line and
 * column, and the profile must pass the device's own schema (cloud-link/protocol), complete, as the
 * service requires for FlashDevice. A file written for create-profile /
 * create-network-profile works as is: its API-only keys (ClientRequestToken, Tags, ARNs, IsDefault)
 * are dropped with a note. The output lists what was flashed with the network passwords redacted.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EchosimError, isEchosimError } from '../../core/errors.js';
import { z } from 'zod';
import { redactSecrets } from '../../cloud-link/cloud/http/api-fields.js';
import { closestNames } from '../../cloud-link/cloud/http/operations.js';
import { NetworkProfileSchema } from '../../cloud-link/protocol/network-profile.js';
import { RoomProfileSchema } from '../../cloud-link/protocol/room-profile.js';
import { A4bClient } from '../a4b-client.js';
import { formatOutput, parseJsonObject, readInputText, usage, type ConnectionOptions, type OutputFormat } from './a4b.js';

type ProfileKind = 'room' | 'network';

interface FlashOptions extends ConnectionOptions {
  device: string;
  roomProfile?: string;
  networkProfile?: string;
  output: OutputFormat;
}

/** Keys of API requests that are not part of the profile a device applies. */
const API_ONLY_KEYS: Record<ProfileKind, readonly string[]> = {
  room: ['ClientRequestToken', 'Tags', 'ProfileArn', 'IsDefault'],
  network: ['ClientRequestToken', 'Tags', 'NetworkProfileArn'],
};

export function registerFlash(program: Command): void {
  program
    .command('flash')
    .description("set one device's room and/or network profile directly (FlashDevice)")
    .requiredOption('--device <serial-or-arn>', 'the device: its serial number (= MQTT client id) or its DeviceArn')
    .option('--room-profile <file>', 'room profile JSON (A4B fields: ProfileName, WakeWord, MaxVolumeLimit, ...); - for stdin')
    .option('--network-profile <file>', 'network profile JSON (NetworkProfileName, Ssid, SecurityType, CurrentPassword, ...); - for stdin')
    .option('--endpoint-url <url>', 'API endpoint (default $ECHOSIM_ENDPOINT or http://127.0.0.1:8700)')
    .option('--token <token>', 'admin token (default $ECHOSIM_ADMIN_TOKEN or <data dir>/admin-token)')
    .option('--data-dir <dir>', "the cloud's data directory, to find admin-token (and tls/ca.pem)")
    .option('--ca <file>', 'with an https:// endpoint: the CA to verify it with (default <data dir>/tls/ca.pem when it exists)')
    .option('--output <format>', 'json or text', 'json')
    .action(async (opts: FlashOptions) => {
      await flash(opts);
    });
}

async function flash(opts: FlashOptions): Promise<void> {
  if (opts.output !== 'json' && opts.output !== 'text') throw usage(`--output must be json or text, not ${JSON.stringify(opts.output)}`);
  if (opts.roomProfile === undefined && opts.networkProfile === undefined) {
    throw usage('Nothing to flash', 'Give --room-profile FILE and/or --network-profile FILE');
  }
  if (opts.roomProfile === '-' && opts.networkProfile === '-') throw usage('Only one of the profiles can come from stdin');
  // Everything local is checked before the first request, so a typo never half-flashes a device.
  const input: Record<string, unknown> = {};
  if (opts.roomProfile !== undefined) input.RoomProfile = loadProfile('room', opts.roomProfile);
  if (opts.networkProfile !== undefined) input.NetworkProfile = loadProfile('network', opts.networkProfile);

  const client = new A4bClient({ endpoint: opts.endpointUrl, token: opts.token, dataDir: opts.dataDir, ca: opts.ca });
  const deviceArn = await resolveDeviceArn(client, opts.device);
  const result = await client.call('FlashDevice', { DeviceArn: deviceArn, ...input });
  process.stdout.write(formatOutput({ DeviceArn: deviceArn, Flashed: redactSecrets(input), Result: result }, opts.output));
}

function loadProfile(kind: ProfileKind, spec: string): Record<string, unknown> {
  const { text, source } = readInputText(spec.startsWith('file://') || spec === '-' ? spec : `file://${spec}`, () => readFileSync(0, 'utf8'), `--${kind}-profile`);
  const profile = parseJsonObject(text, source);
  const dropped = API_ONLY_KEYS[kind].filter((k) => k in profile);
  for (const k of dropped) delete profile[k];
  if (dropped.length > 0) process.stderr.write(`echosim: note: ${source}: ignoring ${dropped.join(', ')} (API request fields, not part of the profile)\n`);
  const problems = validateProfile(kind, profile);
  if (problems.length > 0) {
    throw usage(`${source}: not a valid ${kind} profile:\n  - ${problems.join('\n  - ')}`, 'Fix the listed fields (docs/alexa-for-business.md has the limits); nothing was sent', { problems });
  }
  return profile;
}

/**
 * An ARN is used as is; anything else is taken as a serial number and looked up with SearchDevices
 * (filtered by DeviceSerialNumber when the service supports that filter, and always matched exactly
 * here, so a service that ignores the filter still finds the right device).
 */
export async function resolveDeviceArn(client: A4bClient, device: string): Promise<string> {
  if (device.startsWith('arn:')) return device;
  let filters: unknown[] | undefined = [{ Key: 'DeviceSerialNumber', Values: [device] }];
  let nextToken: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    let res: { Devices?: Array<{ DeviceArn?: string; DeviceSerialNumber?: string }>; NextToken?: string };
    try {
      res = await client.call('SearchDevices', { MaxResults: 50, ...(filters ? { Filters: filters } : {}), ...(nextToken ? { NextToken: nextToken } : {}) });
    } catch (err) {
      if (filters && page === 0 && isEchosimError(err, 'A4B_API_ERROR') && err.details?.type === 'ValidationException') {
        filters = undefined; // this service cannot filter by serial number: page through all devices instead
        page--;
        continue;
      }
      throw err;
    }
    const hit = res.Devices?.find((d) => d.DeviceSerialNumber === device);
    if (hit?.DeviceArn) return hit.DeviceArn;
    nextToken = res.NextToken;
    if (!nextToken) break;
  }
  throw new EchosimError('A4B_API_ERROR', `NotFoundException: no registered device has the serial number ${device}`, {
    hint: 'Register it first (echosim a4b register-device --device-serial-number ...) or pass its DeviceArn',
    details: { type: 'NotFoundException', device },
  });
}

const SCHEMAS: Record<ProfileKind, z.ZodType> = { room: RoomProfileSchema, network: NetworkProfileSchema };

/**
 * The device's own contract (cloud-link/protocol: the schemas the device applies desired state with),
 * so a file that passes here is one the device accepts. One line per problem, naming the field path
 * and the rule, never the value (a network profile holds passwords); misspelt fields get a suggestion.
 */
export function validateProfile(kind: ProfileKind, profile: Record<string, unknown>): string[] {
  const parsed = SCHEMAS[kind].safeParse(profile);
  if (parsed.success) return [];
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(shapeAt(SCHEMAS[kind], issue.path));
      for (const key of issue.keys) {
        const near = closestNames(key, known, 1);
        problems.push(`unknown field ${where ? `${where}.` : ''}${key}${near.length > 0 ? ` (did you mean ${near[0]}?)` : ''}`);
      }
    } else if (issue.code === 'invalid_type' && valueAt(profile, issue.path) === undefined) {
      problems.push(`${where}: required, missing`);
    } else problems.push(`${where || '(profile)'}: ${issue.message}`);
  }
  return problems;
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = value;
  for (const key of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  return cur;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** The object shape a path leads to inside a schema, for suggesting field names ({} when not an object). */
function shapeAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): Record<string, unknown> {
  let cur: unknown = schema;
  for (const key of [...path, undefined]) {
    // Look through .optional() / .refine() wrappers to the object underneath.
    while (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) cur = cur.unwrap();
    if (!(cur instanceof z.ZodObject)) return {};
    if (key === undefined) return cur.shape as Record<string, unknown>;
    cur = (cur.shape as Record<string, unknown>)[String(key)];
  }
  return {};
}

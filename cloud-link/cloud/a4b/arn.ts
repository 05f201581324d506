import { randomBytes } from 'node:crypto';
import { A4bError } from './errors.js';

/**
 * Amazon Resource Names in Alexa for Business's shape, for a local, single-account service:
 * `arn:aws:a4b:local:000000000000:<type>/<id>`. Devices are named by their serial number (also their
 * MQTT client id), everything else by a random id.
 */
export const ARN_PREFIX = 'arn:aws:a4b:local:000000000000:';

export const RESOURCE_TYPES = ['profile', 'network-profile', 'room', 'skill-group', 'device', 'announcement', 'booking'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The device id rule shared with the broker and the topics: the serial number, [A-Za-z0-9_-]{1,64}. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function makeArn(type: ResourceType, id: string): string {
  return `${ARN_PREFIX}${type}/${id}`;
}

/** A new random resource id (128 bits, hex). */
export function newResourceId(): string {
  return randomBytes(16).toString('hex');
}

/** The id inside an ARN of the given type, or undefined when the ARN is not one. */
export function parseArn(arn: string, type: ResourceType): string | undefined {
  const prefix = `${ARN_PREFIX}${type}/`;
  if (!arn.startsWith(prefix)) return undefined;
  const id = arn.slice(prefix.length);
  return ID_PATTERN.test(id) ? id : undefined;
}

const TYPE_NAMES: Record<ResourceType, string> = {
  profile: 'room profile',
  'network-profile': 'network profile',
  room: 'room',
  'skill-group': 'skill group',
  device: 'device',
  announcement: 'announcement',
  booking: 'booking',
};

/**
 * The id of an ARN the caller named. A well-formed ARN of another type or account cannot name
 * anything here, so it is NotFound (as A4B answers), not a validation error.
 */
export function idFromArn(arn: string, type: ResourceType): string {
  const id = parseArn(arn, type);
  if (id === undefined) {
    // a bare serial or id instead of an ARN is the usual slip: say what the ARN would be
    const bare = typeof arn === 'string' && !arn.startsWith('arn:') && /^[A-Za-z0-9_.-]{1,64}$/.test(arn);
    throw new A4bError(
      'NotFoundException',
      bare
        ? `${TYPE_NAMES[type]} ${arn} does not exist: "${arn}" is not an ARN (did you mean ${makeArn(type, arn)}?)`
        : `${TYPE_NAMES[type]} ${arn} does not exist`,
    );
  }
  return id;
}

export function deviceArn(serial: string): string {
  return makeArn('device', serial);
}

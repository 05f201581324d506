import type { Operation } from './context.js';
import { bookingOperations } from './ops/bookings.js';
import { deviceActionOperations } from './ops/device-actions.js';
import { deviceCommandOperations } from './ops/device-commands.js';
import { deviceOperations } from './ops/devices.js';
import { networkProfileOperations } from './ops/network-profiles.js';
import { profileOperations } from './ops/profiles.js';
import { roomOperations } from './ops/rooms.js';
import { skillGroupOperations } from './ops/skill-groups.js';

/** Every operation A4bService.call() accepts, by its Alexa for Business name. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  ...profileOperations,
  ...networkProfileOperations,
  ...roomOperations,
  ...bookingOperations,
  ...skillGroupOperations,
  ...deviceOperations,
  ...deviceActionOperations,
  ...deviceCommandOperations,
};

export const OPERATION_NAMES: readonly string[] = Object.keys(OPERATIONS);

import { z } from 'zod';
import { LocalCommandSchema } from '../../../protocol/local-command.js';
import { deviceArn } from '../arn.js';
import { operation } from '../context.js';
import { assertDeviceAcceptsJob } from '../device-contract.js';
import { loadDevice } from '../device-rows.js';
import { ArnInput } from '../validation.js';

/**
 * SendDeviceCommand (an echosim operation; A4B has none like it): one change to a device's local
 * features (protocol/local-command.ts: volume, do-not-disturb, earcons, a timer, an alarm, a list
 * item), validated by the device's own schema and queued as a `local-command` job, so it reaches a
 * device that is offline when it comes back, and its outcome is the job's. Home Assistant's
 * commands go through this same operation (cloud/home-assistant/ha-commands.ts).
 */
const SendDeviceCommand = operation(z.strictObject({ DeviceArn: ArnInput, Command: LocalCommandSchema }), (ctx, input) => {
  const device = loadDevice(ctx.db, input.DeviceArn);
  const job = ctx.jobs.create(device.serial, { operation: 'local-command', parameters: input.Command });
  assertDeviceAcceptsJob(job);
  ctx.emit('job-created', { deviceId: device.serial, job });
  return { DeviceArn: deviceArn(device.serial), JobId: job.jobId };
});

export const deviceCommandOperations = { SendDeviceCommand };

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { BUTTON_NAMES } from '../hal/buttons/types.js';

/**
 * Device models are data (docs/hardware.md#device-models): one JSON file per model in firmware/device-models/.
 * Adding a model is adding a file. Microphone positions are derived from the geometry.
 */

const modelSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  role: z.string().min(1),
  mics: z.object({
    count: z.number().int().min(1).max(16),
    geometry: z.enum(['circular', 'circular-with-centre', 'linear']),
    radiusMm: z.number().positive(),
  }),
  leds: z.object({ count: z.number().int().min(1).max(64), layout: z.enum(['ring', 'bar']), display: z.boolean().optional() }),
  buttons: z.array(z.enum(BUTTON_NAMES)).min(1),
});

export type DeviceModelData = z.infer<typeof modelSchema>;

export interface DeviceModel extends DeviceModelData {
  /** Microphone positions in metres, x/y in the device's plane, mic 0 at angle 0. */
  readonly micPositions: ReadonlyArray<{ x: number; y: number }>;
}

export const DEVICE_MODEL_DIR = (): string => path.join(packageRoot(), 'firmware', 'device-models');

export function micPositions(m: DeviceModelData['mics']): Array<{ x: number; y: number }> {
  const r = m.radiusMm / 1000;
  if (m.geometry === 'linear') {
    return Array.from({ length: m.count }, (_, i) => ({ x: (i - (m.count - 1) / 2) * r, y: 0 }));
  }
  const ringCount = m.geometry === 'circular-with-centre' ? m.count - 1 : m.count;
  const ring = Array.from({ length: ringCount }, (_, i) => {
    const a = (2 * Math.PI * i) / ringCount;
    return { x: r * Math.cos(a), y: r * Math.sin(a) };
  });
  return m.geometry === 'circular-with-centre' ? [...ring, { x: 0, y: 0 }] : ring;
}

export function parseDeviceModel(raw: unknown, source: string): DeviceModel {
  const parsed = modelSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EchosimError('DEVICE_MODEL_INVALID', `device model ${source} is invalid: ${z.prettifyError(parsed.error)}`, {
      hint: 'See firmware/device-models/echo-dot-3.json for the fields a model needs.',
    });
  }
  return { ...parsed.data, micPositions: micPositions(parsed.data.mics) };
}

/** Every model in the folder, by id. */
export function loadDeviceModels(dir: string = DEVICE_MODEL_DIR()): Map<string, DeviceModel> {
  const models = new Map<string, DeviceModel>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const full = path.join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(full, 'utf8'));
    } catch (cause) {
      throw new EchosimError('DEVICE_MODEL_INVALID', `device model ${full} is not valid JSON`, { cause });
    }
    const model = parseDeviceModel(raw, full);
    if (`${model.id}.json` !== file) {
      throw new EchosimError('DEVICE_MODEL_INVALID', `device model ${full} has id "${model.id}"; the file must be named ${model.id}.json`);
    }
    models.set(model.id, model);
  }
  return models;
}

export function deviceModel(id: string, dir?: string): DeviceModel {
  const models = loadDeviceModels(dir);
  const m = models.get(id);
  if (!m) {
    throw new EchosimError('DEVICE_MODEL_UNKNOWN', `no device model "${id}"`, { hint: `Known models: ${[...models.keys()].join(', ')}.` });
  }
  return m;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deviceModel, loadDeviceModels } from '../../firmware/device-model.js';

describe('device models as data', () => {
  test('the four built-in models with their mics, LEDs and buttons (docs/hardware.md#device-models)', () => {
    const models = loadDeviceModels();
    expect([...models.keys()]).toEqual(['echo-2', 'echo-dot-3', 'echo-plus-2', 'trio-8800']);
    expect(deviceModel('echo-2')).toMatchObject({ mics: { count: 7 }, leds: { count: 12, layout: 'ring' } });
    expect(deviceModel('echo-dot-3').mics.count).toBe(4);
    expect(deviceModel('echo-plus-2').mics.count).toBe(7);
    expect(deviceModel('trio-8800')).toMatchObject({ mics: { count: 3 }, buttons: ['mute', 'call', 'volume-up', 'volume-down'] });
  });

  test('mic positions follow the geometry: a ring, plus the centre mic on the Echo 2', () => {
    const dot = deviceModel('echo-dot-3');
    expect(dot.micPositions).toHaveLength(4);
    for (const p of dot.micPositions) expect(Math.hypot(p.x, p.y)).toBeCloseTo(0.032, 6);
    const echo = deviceModel('echo-2');
    expect(echo.micPositions).toHaveLength(7);
    expect(echo.micPositions[6]).toEqual({ x: 0, y: 0 });
  });

  test('adding a model is adding a file; a bad file is a clear error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'echosim-models-'));
    try {
      const model = { id: 'hat-2mic', name: 'ReSpeaker 2-Mic HAT', role: 'dev board', mics: { count: 2, geometry: 'linear', radiusMm: 58 }, leds: { count: 3, layout: 'bar' }, buttons: ['action'] };
      writeFileSync(path.join(dir, 'hat-2mic.json'), JSON.stringify(model));
      expect(deviceModel('hat-2mic', dir).micPositions).toEqual([{ x: -0.029, y: 0 }, { x: 0.029, y: 0 }]);
      writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ ...model, id: 'broken', mics: { count: 0 } }));
      expect(() => loadDeviceModels(dir)).toThrow(expect.objectContaining({ code: 'DEVICE_MODEL_INVALID' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => deviceModel('echo-9')).toThrow(expect.objectContaining({ code: 'DEVICE_MODEL_UNKNOWN', hint: expect.stringContaining('echo-dot-3') }));
  });
});

/** The cloud may publish (and retain) Home Assistant discovery; a device still may not touch homeassistant/. */
import { cloudMayRetain, isValidDeviceId, mayPublish, maySubscribe } from '../../../cloud-link/broker/acl.js';
import { publishRefusal } from '../../../cloud-link/broker/broker-rules.js';
import { renderAclFile } from '../../../cloud-link/broker/mosquitto-config.js';

const cloud = { role: 'cloud' as const, username: 'echosim-cloud' };
const device = { role: 'device' as const, username: 'dev-A' };
const DISCOVERY = 'homeassistant/device/echosim_dev-A/config';

test('the cloud publishes and retains under homeassistant/, and reads its status', () => {
  expect(mayPublish(cloud, DISCOVERY)).toBe(true);
  expect(maySubscribe(cloud, 'homeassistant/status')).toBe(true);
  expect(cloudMayRetain(cloud, DISCOVERY)).toBe(true);
  expect(publishRefusal(cloud, { topic: DISCOVERY, retain: true, payloadBytes: 900 })).toBeUndefined();
  // and each device's state for Home Assistant, retained (refused before: the cloud's connection was cut in a loop)
  expect(publishRefusal(cloud, { topic: 'echosim/v1/ha/dev-A/state', retain: true, payloadBytes: 200 })).toBeUndefined();
  // Only that tree: not the bare level, not a wildcard over everything, not another root.
  expect(mayPublish(cloud, 'homeassistant')).toBe(false);
  expect(maySubscribe(cloud, '#')).toBe(false);
  expect(mayPublish(cloud, 'zigbee2mqtt/bridge/request')).toBe(false);
});

test('a device may neither publish, retain nor subscribe there', () => {
  expect(mayPublish(device, DISCOVERY)).toBe(false);
  expect(mayPublish(device, 'homeassistant/status')).toBe(false);
  expect(maySubscribe(device, 'homeassistant/#')).toBe(false);
  expect(cloudMayRetain(device, DISCOVERY)).toBe(false);
  expect(publishRefusal(device, { topic: DISCOVERY, retain: true, payloadBytes: 10 })).toMatchObject({ kind: 'not-authorized' });
});

test("Mosquitto's ACL gives the cloud user homeassistant/# and devices nothing new", () => {
  const acl = renderAclFile([{ username: 'echosim-cloud', password: 'x-0123456789abcdef', role: 'cloud' }]);
  expect(acl).toMatch(/^user echosim-cloud\ntopic readwrite echosim\/v1\/#\ntopic readwrite homeassistant\/#$/m);
  expect(acl.split('\n').filter((l) => l.startsWith('pattern')).some((l) => l.includes('homeassistant'))).toBe(false);
});

describe("Home Assistant's own broker user", () => {
  const ha = { role: 'home-assistant' as const, username: 'echosim-home-assistant' };

  test('reads discovery, the cloud-made state and availability; nothing else of a device', () => {
    for (const ok of ['homeassistant/#', 'homeassistant/status', 'echosim/v1/ha/#', 'echosim/v1/ha/dev-A/state', 'echosim/v1/devices/dev-A/availability', 'echosim/v1/devices/+/availability']) {
      expect([ok, maySubscribe(ha, ok)]).toEqual([ok, true]);
    }
    for (const no of ['#', 'echosim/v1/#', 'echosim/v1/devices/#', 'echosim/v1/devices/dev-A/#', 'echosim/v1/devices/dev-A/shadow/get/accepted', 'echosim/v1/devices/+/+', 'echosim/v1/devices/echosim-cloud/availability', 'homeassistant', '$SYS/#']) {
      expect([no, maySubscribe(ha, no)]).toEqual([no, false]);
    }
  });

  test('writes only its status and the volume and do-not-disturb commands, never retained', () => {
    for (const ok of ['homeassistant/status', 'echosim/v1/ha/dev-A/set/volume', 'echosim/v1/ha/dev-A/set/do_not_disturb']) expect([ok, mayPublish(ha, ok)]).toEqual([ok, true]);
    for (const no of [DISCOVERY, 'homeassistant/device/x/config', 'echosim/v1/ha/dev-A/state', 'echosim/v1/ha/dev-A/set/reboot', 'echosim/v1/ha/dev-A/set/volume/x', 'echosim/v1/ha/echosim-cloud/set/volume', 'echosim/v1/devices/dev-A/shadow/update']) {
      expect([no, mayPublish(ha, no)]).toEqual([no, false]);
    }
    expect(cloudMayRetain(ha, 'homeassistant/status')).toBe(false);
    expect(publishRefusal(ha, { topic: 'homeassistant/status', retain: true, payloadBytes: 6 })).toMatchObject({ kind: 'retain-refused' });
    expect(publishRefusal(ha, { topic: 'echosim/v1/ha/dev-A/set/volume', retain: false, payloadBytes: 1 })).toBeUndefined();
  });

  test("Mosquitto's ACL says the same for its user, and the pattern lines do not cover it", () => {
    const acl = renderAclFile([
      { username: 'echosim-cloud', password: 'x-0123456789abcdef', role: 'cloud' },
      { username: 'echosim-home-assistant', password: 'y-0123456789abcdef', role: 'home-assistant' },
    ]);
    const block = acl.slice(acl.indexOf('user echosim-home-assistant')).trim().split('\n');
    expect(block).toEqual([
      'user echosim-home-assistant',
      'topic read homeassistant/#',
      'topic write homeassistant/status',
      'topic read echosim/v1/ha/#',
      'topic write echosim/v1/ha/+/set/volume',
      'topic write echosim/v1/ha/+/set/do_not_disturb',
      'topic read echosim/v1/devices/+/availability',
    ]);
  });

  test('no device may be registered under its name', () => {
    expect(isValidDeviceId('echosim-home-assistant')).toBe(false);
  });
});

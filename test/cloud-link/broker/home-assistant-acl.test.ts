/** The cloud may publish (and retain) Home Assistant discovery; a device still may not touch homeassistant/. */
import { cloudMayRetain, mayPublish, maySubscribe } from '../../../cloud-link/broker/acl.js';
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

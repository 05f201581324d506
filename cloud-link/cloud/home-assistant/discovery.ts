import { HOME_ASSISTANT_ROOT } from '../../broker/acl.js';
import { TOPIC_ROOT, topicFor } from '../../protocol/topics.js';

/**
 * Home Assistant's MQTT device-based discovery for one registered device: one retained document on
 * `homeassistant/device/echosim_<id>/config` with the device (`dev`), the origin (`o`) and its
 * entities (`cmps`), each with its platform (`p`) and a `unique_id`. Abbreviations are Home
 * Assistant's own (docs/home-assistant.md lists them). There is no voice-satellite platform over
 * MQTT, so the device appears as entities: the microphone switch as a read-only binary sensor (the
 * switch is hardware: nothing in software may turn the microphones on), the state, the volume and
 * do-not-disturb, wake words as events.
 *
 * State comes from the cloud on `echosim/v1/ha/<id>/state` (JSON), wake words on `.../wake`, and
 * availability is the device's own retained availability message.
 */
export const HA_ROOT = `${TOPIC_ROOT}/ha`;

export interface HaDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly model: string;
  readonly softwareVersion?: string;
}

export interface HaOrigin {
  readonly name: string;
  readonly sw: string;
}

export function haObjectId(deviceId: string): string {
  return `echosim_${deviceId}`;
}

export function discoveryTopic(deviceId: string): string {
  return `${HOME_ASSISTANT_ROOT}/device/${haObjectId(deviceId)}/config`;
}

export const HA_STATUS_TOPIC = `${HOME_ASSISTANT_ROOT}/status`;

export function haStateTopic(deviceId: string): string {
  return `${HA_ROOT}/${deviceId}/state`;
}

export function haWakeTopic(deviceId: string): string {
  return `${HA_ROOT}/${deviceId}/wake`;
}

export function discoveryDocument(device: HaDevice, origin: HaOrigin): Record<string, unknown> {
  const id = haObjectId(device.deviceId);
  const uid = (what: string): string => `${id}_${what}`;
  return {
    dev: {
      ids: [id],
      name: device.name,
      mf: 'echosim',
      mdl: device.model,
      sn: device.deviceId,
      ...(device.softwareVersion ? { sw: device.softwareVersion } : {}),
    },
    o: { name: origin.name, sw: origin.sw },
    avty: [{ t: topicFor('availability', device.deviceId), val_tpl: '{{ value_json.status }}', pl_avail: 'online', pl_not_avail: 'offline' }],
    stat_t: haStateTopic(device.deviceId),
    qos: 1,
    cmps: {
      microphone_off: {
        p: 'binary_sensor',
        unique_id: uid('microphone_off'),
        name: 'Microphone off',
        icon: 'mdi:microphone-off',
        val_tpl: "{{ 'ON' if value_json.micOff else 'OFF' }}",
      },
      state: { p: 'sensor', unique_id: uid('state'), name: 'State', val_tpl: '{{ value_json.state }}' },
      volume: { p: 'sensor', unique_id: uid('volume'), name: 'Volume', val_tpl: '{{ value_json.volume }}', icon: 'mdi:volume-high' },
      do_not_disturb: { p: 'binary_sensor', unique_id: uid('do_not_disturb'), name: 'Do not disturb', icon: 'mdi:minus-circle', val_tpl: "{{ 'ON' if value_json.doNotDisturb else 'OFF' }}" },
      wake_word: { p: 'event', unique_id: uid('wake_word'), name: 'Wake word', stat_t: haWakeTopic(device.deviceId), evt_typ: ['wake_word'], icon: 'mdi:account-voice' },
    },
  };
}

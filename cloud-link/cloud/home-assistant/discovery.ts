import { HA_ROOT, HA_STATUS_TOPIC, HOME_ASSISTANT_ROOT, haCommandTopic, haStateTopic, haWakeTopic } from '../../protocol/home-assistant-topics.js';
import { MAX_VOLUME, MIN_VOLUME } from '../../protocol/local-feature-limits.js';
import { topicFor } from '../../protocol/topics.js';

/**
 * Home Assistant's MQTT device-based discovery for one registered device (docs/home-assistant.md#discovery):
 * one retained document on `homeassistant/device/echosim_<id>/config` with the device (`dev`), the
 * origin (`o`) and its entities (`cmps`), each with its platform (`p`) and a `unique_id`. Keys are
 * Home Assistant's abbreviations (its MQTT integration's abbreviations list) or full names, which
 * it also accepts. There is no voice-satellite platform over MQTT, so the device appears as
 * entities: the microphone switch as a read-only binary sensor (the switch is hardware: nothing in
 * software may turn the microphones on), the state, the volume as a number and do-not-disturb as a
 * switch (their commands go through the API's validation, ha-bridge.ts), the timers as a sensor
 * (how many run; the soonest as attributes), wake words as events.
 *
 * State comes from the cloud on `echosim/v1/ha/<id>/state` (JSON), wake words on `.../wake`, and
 * availability is the device's own retained availability message.
 */

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

export { HA_ROOT, HA_STATUS_TOPIC, haStateTopic, haWakeTopic };

export function haObjectId(deviceId: string): string {
  return `echosim_${deviceId}`;
}

export function discoveryTopic(deviceId: string): string {
  return `${HOME_ASSISTANT_ROOT}/device/${haObjectId(deviceId)}/config`;
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
      volume: {
        p: 'number',
        unique_id: uid('volume'),
        name: 'Volume',
        icon: 'mdi:volume-high',
        cmd_t: haCommandTopic(device.deviceId, 'volume'),
        val_tpl: '{{ value_json.volume }}',
        min: MIN_VOLUME,
        max: MAX_VOLUME,
        step: 1,
        mode: 'slider',
      },
      do_not_disturb: {
        p: 'switch',
        unique_id: uid('do_not_disturb'),
        name: 'Do not disturb',
        icon: 'mdi:minus-circle',
        cmd_t: haCommandTopic(device.deviceId, 'do_not_disturb'),
        val_tpl: "{{ 'ON' if value_json.doNotDisturb else 'OFF' }}",
        pl_on: 'ON',
        pl_off: 'OFF',
      },
      timers: {
        p: 'sensor',
        unique_id: uid('timers'),
        name: 'Timers',
        icon: 'mdi:timer-outline',
        val_tpl: '{{ value_json.timerCount }}',
        json_attr_t: haStateTopic(device.deviceId),
        json_attr_tpl: '{{ {"timers": value_json.timers} | tojson }}',
      },
      wake_word: { p: 'event', unique_id: uid('wake_word'), name: 'Wake word', stat_t: haWakeTopic(device.deviceId), evt_typ: ['wake_word'], icon: 'mdi:account-voice' },
    },
  };
}

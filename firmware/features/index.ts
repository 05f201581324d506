/**
 * The device's local features: what the device integration imports. LocalFeatures is the entry
 * point; the rest are the types of its API, events and snapshot.
 */
export {
  LocalFeatures,
  FEATURE_NAMES,
  type FeatureName,
  type FeaturesLoadReport,
  type FeaturesSnapshot,
  type LocalFeaturesEvents,
  type LocalFeaturesOptions,
  type StorageCorrupt,
} from './local-features.js';
export type { Timers, AddTimerInput } from './timers.js';
export type { Alarms, AddAlarmInput } from './alarms.js';
export { ALARM_REPEATS, type AlarmRepeat } from './alarm-recurrence.js';
export type { Alarm, AlarmFired, MissedItem, Timer, TimerFired } from './notifications-schema.js';
export { LIST_NAMES, MAX_LIST_ITEMS, type ListItem, type ListName, type Lists } from './lists.js';
export { MAX_BLUETOOTH_HISTORY, type Bluetooth, type BluetoothDevice, type BluetoothState } from './bluetooth.js';
export { DEFAULT_VOLUME, MAX_VOLUME, MIN_VOLUME, type Volume, type VolumeState } from './volume.js';
export type { DeviceSettings, DeviceSettingsPatch, DeviceSettingsValue } from './device-settings.js';
export {
  CLOUD_SYNC_FEATURES,
  LOCAL_RESET_FEATURES,
  type CloudSyncFeature,
  type LocalResetFeature,
  type ResetFeature,
  type ResetReport,
  type SyncFeature,
} from '../../cloud-link/protocol/reset-features.js';

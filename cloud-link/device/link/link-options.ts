import type { Clock } from '../../../core/clock.js';
import type { EchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { DeviceLinkEvents } from '../../../firmware/device/link.js';
import type { RedactedNetworkProfile } from '../../protocol/network-profile.js';
import type { DesiredState } from '../../protocol/shadow.js';
import type { ClientTlsOptions } from '../../tls/client-tls.js';
import type { ConnectionStateChange } from '../mqtt-connection.js';
import type { ReconnectBackoff, ReconnectBackoffOptions } from '../../mqtt/reconnect-backoff.js';
import type { MqttStreamTransport } from '../../mqtt/stream-transport.js';
import type { WifiManager } from '../wifi/wifi-manager.js';
import type { JobEvent } from './job-runner.js';
import type { ProfileRejection } from './profile-applier.js';
import type { ShadowSyncEvents } from './shadow-sync.js';
import type { MalformedMessage } from './transport.js';

/** The cloud link's public contract: what it is built with, and what it tells observers. */

export interface DeviceCloudLinkOptions {
  /** The broker, `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  /** For `mqtts://`: the CA the broker's certificate must chain to (the cloud's ca.pem). */
  tls?: ClientTlsOptions;
  /** MqttConnection: how it reaches the broker at `url` instead of a socket (a fleet in the cloud's process). */
  streamTransport?: MqttStreamTransport;
  /** The device's id (serial number): its MQTT clientId and username. */
  deviceId: string;
  /** Its MQTT password, from the cloud's RegisterDevice. */
  secret: string;
  clock: Clock;
  /** The device's flash; the link keeps its state in `cloud-link/` and its outbox here. */
  dataDir: string;
  /** The radio network profiles go to; default a SimulatedWifi that joins any well-formed profile. */
  wifi?: WifiManager;
  log?: Logger;
  /** Wake words the spotter has a model for, A4B names (default ALEXA). */
  supportedWakeWords?: readonly string[];
  /** Reported as device.SoftwareVersion; default the echosim package version. */
  softwareVersion?: string;
  /**
   * Reboots the device for a reboot job. Default: the link closes and the device stops (a Device
   * cannot boot again once stopped); whoever runs the device starts a new Device and link on the same
   * data directory, and that link reports the job SUCCEEDED.
   */
  reboot?: () => Promise<void>;
  /** The connection's reconnect policy (reconnect-backoff.ts). */
  backoff?: ReconnectBackoff | ReconnectBackoffOptions;
  /** Shadow and job requests unanswered this long are sent again (after a backoff); default 10 s. */
  requestTimeoutMs?: number;
  /** Period of telemetry/metrics on the Clock; default 60 s. */
  metricsIntervalMs?: number;
  /** After an utterance ends, how long its wake report waits for the cloud's verdict; default 10 s. */
  verdictWaitMs?: number;
  /** Longest close() waits for the outbox to drain, and for the final offline; default 2 s. */
  closeTimeoutMs?: number;
  /** MqttConnection: from the start of an attempt to CONNECTED; default 30 s. */
  connectTimeoutMs?: number;
  /** MqttConnection: MQTT keepalive; default 30 s. */
  keepaliveSeconds?: number;
}

export interface DeviceCloudLinkEvents extends DeviceLinkEvents {
  connection: [ConnectionStateChange];
  /** A desired state was applied (`boot`: re-applied from flash at start). */
  'profile-applied': [{ version: number; at: number; boot: boolean }];
  'profile-rejected': [ProfileRejection];
  reported: ShadowSyncEvents['reported'];
  'shadow-rejected': ShadowSyncEvents['shadow-rejected'];
  job: [JobEvent];
  reboot: [{ jobId: string }];
  malformed: [MalformedMessage];
  warning: [EchosimError];
}

/** The applied profile as anyone but the device may see it: network passwords removed. */
export interface AppliedProfileView {
  version: number;
  at: number;
  desired: Omit<DesiredState, 'networkProfile'> & { networkProfile?: RedactedNetworkProfile };
}

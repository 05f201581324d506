import type { Logger } from '../../core/log.js';
import type { A4bService } from './a4b/service.js';
import { MosquittoAuthSync, type registryAuthenticator } from './broker-auth.js';
import { DEFAULT_MQTT_PORT, type CloudOptions } from './cloud-options.js';
import type { CloudClientOptions } from './mqtt/cloud-client.js';
import { OwnedBroker } from './owned-broker.js';
import type { CloudTls, ServerTlsMaterial } from './server-tls.js';

/** The broker the cloud's devices and its own client use, as Cloud.start set it up. */
export interface CloudBroker {
  /** mqtt://host:port (mqtts:// with TLS) devices connect to. */
  readonly url: string;
  /** The embedded broker, unless the cloud uses an external one. */
  readonly owned?: OwnedBroker;
  /** Keeps an external Mosquitto's password and ACL files in step with the registry. */
  readonly mosquittoSync?: MosquittoAuthSync;
  /** How the cloud's own client reaches it: TLS to verify it with, or in memory (its own broker). */
  readonly client: Pick<CloudClientOptions, 'tls' | 'pinnedCertificate' | 'streamTransport'>;
}

export interface CloudBrokerDeps {
  readonly options: CloudOptions;
  readonly service: A4bService;
  /** The admin token: the cloud's own broker password, and the one written into Mosquitto's files. */
  readonly token: string;
  /** The cloud's own certificate, when it serves TLS. */
  readonly tls: CloudTls | undefined;
  readonly homeAssistantPassword?: string;
  /** Asked at every start of the embedded broker (cloud-link/cloud/owned-broker.ts). */
  readonly authenticate: () => ReturnType<typeof registryAuthenticator>;
  readonly serverTls: () => ServerTlsMaterial | undefined;
  readonly log: Logger;
}

/**
 * An external broker (`broker.url`, with its Mosquitto files synced when the cloud manages them) or
 * the embedded one on `broker.host`/`broker.port` (default 127.0.0.1:1883), which the cloud's own
 * client reaches over a socket pinned to its exact certificate, or in memory with `clientInMemory`.
 */
export async function openCloudBroker(d: CloudBrokerDeps): Promise<CloudBroker> {
  const { options, tls, log } = d;
  if (options.broker && 'url' in options.broker) {
    let mosquittoSync: MosquittoAuthSync | undefined;
    if (options.mosquitto) {
      mosquittoSync = new MosquittoAuthSync(d.service, d.token, {
        ...options.mosquitto,
        dir: options.mosquitto.authDir,
        log,
        ...(d.homeAssistantPassword === undefined ? {} : { homeAssistantPassword: d.homeAssistantPassword }),
      });
      await mosquittoSync.sync();
    }
    return { url: options.broker.url, ...(mosquittoSync ? { mosquittoSync } : {}), client: options.broker.tls ? { tls: options.broker.tls } : {} };
  }
  const b = options.broker as { host?: string; port?: number; clientInMemory?: boolean } | undefined;
  const owned = await OwnedBroker.start({ host: b?.host ?? '127.0.0.1', port: b?.port ?? DEFAULT_MQTT_PORT, authenticate: d.authenticate, tls: d.serverTls, log });
  // Its own broker, on whatever address it is bound to: the exact certificate it serves.
  const pinned: CloudBroker['client'] = tls ? { tls: { ca: tls.material.ca, caSource: tls.caFile }, pinnedCertificate: () => tls.material.cert } : {};
  return { url: owned.url, owned, client: b?.clientInMemory ? { ...pinned, streamTransport: owned.transport } : pinned };
}

import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { createLogger } from '../../core/log.js';
import type { CloudChildConfig, CloudChildReply, CloudChildRequest, MemorySample } from './cloud-child-process.js';

/**
 * The cloud of a benchmark in a process of its own (forked by cloud-child-process.ts), so its memory is
 * measured apart from the simulated fleet's: `echosim cloud` as a user runs it (SQLite, HTTP API,
 * embedded broker or Mosquitto), driven over the IPC channel. Not a CLI entry point.
 */

function send(reply: CloudChildReply): void {
  process.send?.(reply);
}

function sample(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.(); // with --expose-gc: the heap after a full collection, what a leak shows in
  const m = process.memoryUsage();
  return { rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20, externalMb: m.external / 2 ** 20, gc: gc !== undefined };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as CloudChildConfig;
  const log = createLogger('bench-cloud', process.env.ECHOSIM_LOG_LEVEL ?? 'error');
  const pendingReloads = new Map<number, () => void>();
  let reloads = 0;
  const mosquitto = config.mosquittoAuthDir
    ? {
        authDir: config.mosquittoAuthDir,
        // the parent owns the Mosquitto process: ask it to make Mosquitto reread its files
        reload: () =>
          new Promise<void>((resolve) => {
            const id = ++reloads;
            pendingReloads.set(id, resolve);
            send({ type: 'reload-mosquitto', id });
          }),
      }
    : undefined;
  let cloud: Cloud | undefined;
  // Listening first also keeps the IPC channel (and so this process) alive while Cloud.start waits
  // for the parent to reload Mosquitto.
  process.on('message', (raw) => {
    const req = raw as CloudChildRequest;
    const answer = async (): Promise<void> => {
      if (req.type === 'mosquitto-reloaded') {
        pendingReloads.get(req.id)?.();
        pendingReloads.delete(req.id);
        return;
      }
      if (!cloud) throw new Error('the cloud has not started yet');
      switch (req.type) {
        case 'sample':
          return send({ type: 'done', id: req.id, sample: sample() });
        case 'stop-broker':
          await cloud.stopBroker();
          return send({ type: 'done', id: req.id });
        case 'start-broker':
          await cloud.startBroker();
          return send({ type: 'done', id: req.id });
        case 'stop':
          await cloud.stop();
          send({ type: 'done', id: req.id });
          process.disconnect();
          return;
      }
    };
    answer().catch((err: unknown) => send({ type: 'failed', id: req.id, message: (err as Error).message }));
  });
  cloud = await Cloud.start({
    dir: config.dir,
    log,
    broker: config.brokerUrl ? { url: config.brokerUrl } : { port: 0 },
    ...(mosquitto ? { mosquitto } : {}),
    http: { port: 0 },
    verifier: false,
  });
  send({ type: 'ready', brokerUrl: cloud.brokerUrl, apiUrl: cloud.apiUrl ?? '', adminToken: cloud.adminToken, pid: process.pid });
}

main().catch((err: unknown) => {
  send({ type: 'failed', id: 0, message: (err as Error).message });
  process.exitCode = 1;
  process.disconnect?.();
});

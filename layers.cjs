/**
 * The layers of echosim, lowest first, and what each may import: itself and the layers in `uses`.
 * One table for every check of the layering: .dependency-cruiser.cjs builds its import rules from it,
 * and test/core/error-codes.test.ts checks with it that a layer throws only its own error codes and
 * those of the layers it may use. docs/architecture.md explains the layers.
 *
 * `protocol` is the device-cloud contract (topics, message schemas, stream and pre-roll types, the
 * sample rate, telemetry states, reset features): a leaf that depends only on core (and zod), so the
 * firmware, both sides of the link and the tools can all import it without depending on each other.
 */
const layers = {
  core: { path: '^core/', uses: [] },
  hal: { path: '^hal/', uses: ['core'] },
  models: { path: '^models/', uses: ['core', 'hal'] },
  protocol: { path: '^cloud-link/protocol/', uses: ['core'] },
  firmware: { path: '^firmware/', uses: ['core', 'hal', 'models', 'protocol'] },
  tls: { path: '^cloud-link/tls/', uses: ['core'] },
  mqtt: { path: '^cloud-link/mqtt/', uses: ['core', 'tls'] },
  broker: { path: '^cloud-link/broker/', uses: ['core', 'protocol', 'tls'] },
  deviceLink: {
    path: '^cloud-link/device/',
    uses: ['core', 'hal', 'models', 'protocol', 'firmware', 'tls', 'mqtt', 'broker'],
  },
  // The cloud knows the device only through the contract, plus the catalog of device models
  // (firmware/device-model.ts: which DeviceType values RegisterDevice accepts); see `cloudMayUse`.
  cloud: { path: '^cloud-link/cloud/', uses: ['core', 'hal', 'models', 'protocol', 'tls', 'mqtt', 'broker'] },
  tools: {
    path: '^tools/',
    uses: ['core', 'hal', 'models', 'protocol', 'firmware', 'tls', 'mqtt', 'broker', 'deviceLink', 'cloud'],
  },
};

/** The only firmware files the cloud may import. */
const cloudMayUse = ['^firmware/device-model\\.ts$'];

module.exports = { layers, cloudMayUse };

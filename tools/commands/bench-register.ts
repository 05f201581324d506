import type { Command } from 'commander';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { runRegisterBench } from '../bench/register.js';
import { parsePositiveInt } from '../options.js';

/** `bench register`: what registering a fleet costs the cloud (the credential hashing of provisioning). */
export function registerBenchRegister(bench: Command): void {
  bench
    .command('register')
    .description('time RegisterDevice for N devices in process (no HTTP, no devices), then their first login checks')
    .option('--devices <n>', 'devices to register', parsePositiveInt, 2000)
    .option('--mosquitto', "also compute Mosquitto's $7$ hash, as with an external Mosquitto (--mosquitto-auth)")
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { devices: number; mosquitto?: boolean; json?: boolean }) => {
      const r = await runRegisterBench({ devices: opts.devices, mosquitto: opts.mosquitto ?? false });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(`registered:          ${r.devices} devices in ${r.register_s} s (${r.register_ms_per_device} ms each${r.mosquitto ? ", Mosquitto's $7$ hash included" : ''})`);
      out(`first logins:        ${r.first_logins_s} s for all of them`);
    });
}

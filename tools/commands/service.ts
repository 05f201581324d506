import { InvalidArgumentError, type Command } from 'commander';
import { installService, SYSTEM_UNIT_DIR, uninstallService } from '../service/install.js';
import { unitName, type ServiceRole } from '../service/unit-file.js';

function parseRole(value: string): ServiceRole {
  if (value === 'device' || value === 'cloud') return value;
  throw new InvalidArgumentError('expected device or cloud');
}

interface ServiceCliOptions {
  config: string;
  user: string;
  unitDir: string;
  createUser: boolean;
  systemctl: boolean;
  print?: boolean;
}

export function registerService(program: Command): void {
  const service = program.command('service').description('install echosim as a systemd service that starts at boot and restarts (docs/raspberry-pi.md)');
  service
    .command('install')
    .description('write the systemd unit for a device or the cloud, create its system user, enable it')
    .argument('<role>', 'device or cloud', parseRole)
    .requiredOption('--config <file>', 'the config file the service runs with (checked now)')
    .option('--user <name>', 'the system user it runs as', 'echosim')
    .option('--unit-dir <dir>', 'where the unit goes', SYSTEM_UNIT_DIR)
    .option('--no-create-user', 'do not create the user (it must exist when the service starts)')
    .option('--no-systemctl', 'only write the unit: no daemon-reload, no enable')
    .option('--print', 'print the unit after writing it')
    .action(async (role: ServiceRole, opts: ServiceCliOptions) => {
      const r = await installService({ role, config: opts.config, user: opts.user, unitDir: opts.unitDir, createUser: opts.createUser, systemctl: opts.systemctl });
      const name = unitName(role);
      process.stdout.write(
        [
          ...r.steps.map((s) => `echosim service: ${s}`),
          ...(opts.print ? ['', r.unit] : []),
          `Give ${opts.user} the files the config names (e.g. \`sudo chown ${opts.user}: CREDENTIALS_FILE\`, mode 0600), check them with \`sudo -u ${opts.user} echosim doctor --config ${opts.config}\`, then:`,
          `  sudo systemctl start ${name}     logs: journalctl -u ${name} -f`,
          '',
        ].join('\n'),
      );
    });
  service
    .command('uninstall')
    .description('stop, disable and remove the unit (the data directory and the user stay)')
    .argument('<role>', 'device or cloud', parseRole)
    .option('--unit-dir <dir>', 'where the unit is', SYSTEM_UNIT_DIR)
    .option('--no-systemctl', 'only remove the unit file')
    .action(async (role: ServiceRole, opts: ServiceCliOptions) => {
      const steps = await uninstallService({ role, unitDir: opts.unitDir, systemctl: opts.systemctl });
      process.stdout.write(`${steps.map((s) => `echosim service: ${s}`).join('\n')}\n`);
    });
}

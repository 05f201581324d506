/**
 * The systemd units `echosim service install` writes: one service per role, started at boot after
 * the sound cards and the network are up, restarted whenever it stops, run as a dedicated system
 * user with only the device groups it needs, logging to journald, reading its settings from the
 * config file named on its command line.
 */
export type ServiceRole = 'device' | 'cloud';

export interface UnitOptions {
  readonly role: ServiceRole;
  /** Absolute path of the config file (`--config`). */
  readonly configFile: string;
  /** The system user (and its group) the service runs as. */
  readonly user: string;
  /** Absolute paths of node and of echosim's dist/tools/cli.js. */
  readonly node: string;
  readonly cli: string;
  /** The Pi guide (docs/raspberry-pi.md of this installation). */
  readonly guide: string;
  /** Groups that exist on this machine and the role needs (audio, gpio, spi for a device). */
  readonly groups: readonly string[];
  /** The config's data directory, if it names one; otherwise the unit's StateDirectory is used. */
  readonly dataDir?: string;
}

export function unitName(role: ServiceRole): string {
  return `echosim-${role}.service`;
}

/** The groups a role's user needs to open its hardware (a device: sound, GPIO and SPI). */
export function wantedGroups(role: ServiceRole): readonly string[] {
  return role === 'device' ? ['audio', 'gpio', 'spi'] : [];
}

/** Quotes one ExecStart argument the way systemd parses it (C-style escapes inside double quotes). */
function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `%` starts a systemd specifier; a literal one is written `%%`. */
function literal(s: string): string {
  return s.replace(/%/g, '%%');
}

export function renderUnit(o: UnitOptions): string {
  const stateDir = `echosim/${o.role}`;
  const exec = [...[o.node, o.cli, o.role, '--config', o.configFile].map((a) => quote(literal(a))), ...(o.dataDir ? [] : ['--data', `%S/${stateDir}`])];
  const description = o.role === 'device' ? 'echosim device (an Echo-class voice device)' : 'echosim cloud (device registry, MQTT broker, A4B-style API)';
  return [
    '# Written by `echosim service install` (tools/service/unit-file.ts); `echosim service uninstall` removes it.',
    '[Unit]',
    `Description=${description}`,
    `Documentation=file://${literal(o.guide)}`,
    `After=${o.role === 'device' ? 'sound.target ' : ''}network-online.target`,
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${o.user}`,
    `Group=${o.user}`,
    ...(o.groups.length > 0 ? [`SupplementaryGroups=${o.groups.join(' ')}`] : []),
    `ExecStart=${exec.join(' ')}`,
    'Restart=always',
    'RestartSec=3',
    // The cloud's data and the device's flash: made by systemd, owned by the user, private.
    `StateDirectory=${stateDir}`,
    'StateDirectoryMode=0700',
    ...(o.dataDir ? [`ReadWritePaths=${quote(literal(o.dataDir))}`] : []),
    'Environment=ECHOSIM_LOG_LEVEL=info',
    'StandardOutput=journal',
    'StandardError=journal',
    `SyslogIdentifier=echosim-${o.role}`,
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=full',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

import { spawn } from 'node:child_process';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import type { WifiCredentials, WifiManager, WifiStatus } from './wifi-manager.js';

export interface NetworkManagerOptions {
  /** Where NetworkManager keeps keyfiles (default /etc/NetworkManager/system-connections). */
  dir?: string;
  /** The nmcli command (default `nmcli`). */
  nmcli?: string;
  env?: NodeJS.ProcessEnv;
}

/** The keyfile's connection id: one per SSID, prefixed so echosim only ever touches its own. */
export const connectionId = (ssid: string): string => `echosim-${ssid.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/**
 * NetworkManager on a Raspberry Pi. The profile becomes a keyfile written with mode 0600 (temp file,
 * then rename), then `nmcli connection reload` and `nmcli connection up id <id>`. Passwords never go on
 * a command line (where `ps` would show them) nor into logs. During a rotation the keyfile keeps
 * CurrentPassword; NextPassword is kept by the device (in its profile store) and written when the
 * network stops accepting the current one.
 */
export class NetworkManagerWifi implements WifiManager {
  private current: WifiStatus = { State: 'DISCONNECTED', PasswordSynced: false };
  private readonly dir: string;

  constructor(private readonly options: NetworkManagerOptions = {}) {
    this.dir = options.dir ?? '/etc/NetworkManager/system-connections';
  }

  async apply(c: WifiCredentials): Promise<WifiStatus> {
    const id = connectionId(c.Ssid);
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${id}.nmconnection`);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, keyfile(id, c), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
    const base = { Ssid: c.Ssid, SecurityType: c.SecurityType, PasswordSynced: true };
    try {
      await this.nmcli(['connection', 'reload']);
      await this.nmcli(['connection', 'up', 'id', id]);
      this.current = { ...base, State: 'CONNECTED' };
    } catch (err) {
      this.current = { ...base, State: 'FAILED', Detail: err instanceof EchosimError ? err.message : 'AUTHENTICATION_FAILURE' };
    }
    return this.current;
  }

  status(): WifiStatus {
    return this.current;
  }

  async close(): Promise<void> {}

  private nmcli(args: string[]): Promise<void> {
    const cmd = this.options.nmcli ?? 'nmcli';
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env: this.options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new EchosimError('WIFI_UNAVAILABLE', err.code === 'ENOENT' ? `${cmd} is not installed` : `${cmd} failed to start: ${err.message}`, {
            hint: 'Install NetworkManager (sudo apt install network-manager) or run the device with the simulated Wi-Fi.',
          }),
        ),
      );
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new EchosimError('WIFI_UNAVAILABLE', `nmcli ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)),
      );
    });
  }
}

function keyfile(id: string, c: WifiCredentials): string {
  const lines = ['[connection]', `id=${id}`, 'type=wifi', 'autoconnect=true', '', '[wifi]', 'mode=infrastructure', `ssid=${c.Ssid}`, ''];
  if (c.SecurityType === 'WPA_PSK' || c.SecurityType === 'WPA2_PSK') {
    lines.push('[wifi-security]', 'key-mgmt=wpa-psk', `psk=${c.CurrentPassword ?? ''}`, '');
  } else if (c.SecurityType === 'WEP') {
    lines.push('[wifi-security]', 'key-mgmt=none', 'wep-key-type=2', `wep-key0=${c.CurrentPassword ?? ''}`, '');
  } else if (c.SecurityType === 'WPA2_ENTERPRISE') {
    lines.push('[wifi-security]', 'key-mgmt=wpa-eap', '', '[802-1x]', 'eap=tls', '');
  }
  lines.push('[ipv4]', 'method=auto', '', '[ipv6]', 'method=auto', '');
  return lines.join('\n');
}

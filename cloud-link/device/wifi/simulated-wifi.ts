import type { WifiCredentials, WifiManager, WifiStatus } from './wifi-manager.js';

/** A network in the simulated room: what a real access point would check. */
export interface SimulatedAccessPoint {
  ssid: string;
  securityType: WifiCredentials['SecurityType'];
  /** The password the access point accepts now (absent for OPEN). */
  password?: string;
}

/**
 * A simulated radio. With no access points configured every well-formed profile connects (a device on
 * a desk that is "on the network"); with access points, joining succeeds only when the SSID exists,
 * the security type matches and one of the profile's passwords is the one the access point accepts.
 * Password rotation works as on a real device: it keeps CurrentPassword and NextPassword, and when the
 * network switches to NextPassword it reconnects with it (`networkChanged()`).
 */
export class SimulatedWifi implements WifiManager {
  private credentials: WifiCredentials | undefined;
  private current: WifiStatus = { State: 'DISCONNECTED', PasswordSynced: false };

  constructor(private readonly accessPoints?: SimulatedAccessPoint[]) {}

  async apply(credentials: WifiCredentials): Promise<WifiStatus> {
    this.credentials = credentials;
    return this.join();
  }

  status(): WifiStatus {
    return this.current;
  }

  /** The room's network changed (e.g. its password was rotated): reconnect as a device would. */
  async networkChanged(): Promise<WifiStatus> {
    return this.join();
  }

  async close(): Promise<void> {
    this.current = { State: 'DISCONNECTED', PasswordSynced: false };
  }

  private join(): WifiStatus {
    const c = this.credentials;
    if (!c) return (this.current = { State: 'DISCONNECTED', PasswordSynced: false });
    // The device holds whatever the profile gave it, NextPassword included: it is in sync.
    const base = { Ssid: c.Ssid, SecurityType: c.SecurityType, PasswordSynced: true };
    if (!this.accessPoints) return (this.current = { ...base, State: 'CONNECTED' });
    const ap = this.accessPoints.find((a) => a.ssid === c.Ssid);
    if (!ap) return (this.current = { ...base, State: 'FAILED', Detail: 'NETWORK_PROFILE_NOT_FOUND' });
    if (ap.securityType !== c.SecurityType) return (this.current = { ...base, State: 'FAILED', Detail: 'AUTHENTICATION_FAILURE' });
    if (ap.securityType === 'OPEN') return (this.current = { ...base, State: 'CONNECTED' });
    if (ap.password === c.CurrentPassword) return (this.current = { ...base, State: 'CONNECTED' });
    if (c.NextPassword && ap.password === c.NextPassword) {
      // The network moved to the next password: promote it, as the device would after a rotation.
      this.credentials = { ...c, CurrentPassword: c.NextPassword, NextPassword: '' };
      return (this.current = { ...base, State: 'CONNECTED' });
    }
    return (this.current = { ...base, State: 'FAILED', Detail: 'INVALID_PASSWORD_STATE' });
  }
}

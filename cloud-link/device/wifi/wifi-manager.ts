/**
 * The device's Wi-Fi, as the network profile drives it (Alexa for Business network profiles,
 * docs/alexa-for-business.md#network-profiles). Behind one interface: a simulated radio (default, and in
 * tests) and a NetworkManager writer for a Raspberry Pi. Passwords go in and never come out: status
 * reports hold no secret.
 */
export type SecurityType = 'OPEN' | 'WEP' | 'WPA_PSK' | 'WPA2_PSK' | 'WPA2_ENTERPRISE';

export interface WifiCredentials {
  readonly Ssid: string;
  readonly SecurityType: SecurityType;
  readonly CurrentPassword?: string;
  /** Set during a rotation: the password the network will use next. */
  readonly NextPassword?: string;
  readonly EapMethod?: string;
  readonly CertificateAuthorityArn?: string;
  readonly TrustAnchors?: readonly string[];
}

export type WifiState = 'CONNECTED' | 'CONNECTING' | 'FAILED' | 'DISCONNECTED';

export interface WifiStatus {
  readonly Ssid?: string;
  readonly SecurityType?: SecurityType;
  readonly State: WifiState;
  /** The device holds the profile's passwords, NextPassword included: a rotation may proceed. */
  readonly PasswordSynced: boolean;
  /** Why it is not connected, in A4B's status-detail vocabulary (e.g. INVALID_PASSWORD_STATE). */
  readonly Detail?: string;
}

export interface WifiManager {
  /** Joins the network the profile describes (keeping both passwords during a rotation). */
  apply(credentials: WifiCredentials): Promise<WifiStatus>;
  status(): WifiStatus;
  close(): Promise<void>;
}

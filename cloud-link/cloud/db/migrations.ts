import { EchosimError } from '../../../core/errors.js';
import { splitDesiredSecrets } from '../../protocol/desired-secrets.js';
import type { Migration } from './migrate.js';
import { sealShadowDocument } from './shadow-store.js';

/**
 * The cloud database's schema history. APPEND ONLY: never edit or reorder a migration that has been
 * released; add a new one at the end (migrate.ts refuses a database whose history disagrees).
 *
 * Conventions: STRICT tables; times are INTEGER milliseconds since the Unix epoch; ids are the ARN's
 * resource id (devices: their serial number, which is also their MQTT client id); JSON columns are
 * checked with json_valid; secrets are never stored in the clear (`*_enc` columns hold SecretBox
 * ciphertexts; `credential_hash` and `cloud_credentials.hash` keyed hashes, auth/credential-key.ts,
 * or scrypt hashes written before migration 7 and upgraded on their next login). A migration whose
 * data SQL cannot move (re-encryption) has a `data` step; it must only ever call code whose output
 * format stays readable.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry',
    sql: `
      CREATE TABLE room_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
        -- every A4B field except ProfileName/IsDefault, as validated by the API
        settings TEXT NOT NULL CHECK (json_valid(settings)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      -- at most one default profile, enforced by the database itself
      CREATE UNIQUE INDEX room_profiles_one_default ON room_profiles (is_default) WHERE is_default = 1;

      CREATE TABLE network_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        ssid TEXT NOT NULL,
        security_type TEXT NOT NULL CHECK (security_type IN ('OPEN', 'WEP', 'WPA_PSK', 'WPA2_PSK', 'WPA2_ENTERPRISE')),
        eap_method TEXT,
        certificate_authority_arn TEXT,
        trust_anchors TEXT CHECK (trust_anchors IS NULL OR json_valid(trust_anchors)),
        current_password_enc TEXT,
        next_password_enc TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        provider_calendar_id TEXT,
        -- NULL: the room uses the default room profile
        profile_id TEXT REFERENCES room_profiles (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX rooms_profile ON rooms (profile_id);

      CREATE TABLE skill_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE skill_group_skills (
        skill_group_id TEXT NOT NULL REFERENCES skill_groups (id) ON DELETE CASCADE,
        skill_id TEXT NOT NULL,
        PRIMARY KEY (skill_group_id, skill_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE room_skill_groups (
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        skill_group_id TEXT NOT NULL REFERENCES skill_groups (id) ON DELETE CASCADE,
        PRIMARY KEY (room_id, skill_group_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX room_skill_groups_group ON room_skill_groups (skill_group_id);

      CREATE TABLE devices (
        serial TEXT PRIMARY KEY,
        device_type TEXT NOT NULL,
        name TEXT NOT NULL,
        software_version TEXT,
        mac_address TEXT,
        room_id TEXT REFERENCES rooms (id) ON DELETE SET NULL,
        network_profile_id TEXT REFERENCES network_profiles (id) ON DELETE RESTRICT,
        status TEXT NOT NULL CHECK (status IN ('READY', 'PENDING', 'WAS_OFFLINE', 'DEREGISTERED', 'FAILED')),
        status_detail TEXT,
        connection_status TEXT NOT NULL DEFAULT 'OFFLINE' CHECK (connection_status IN ('ONLINE', 'OFFLINE')),
        connection_updated_at INTEGER,
        credential_hash TEXT,
        sync_state TEXT NOT NULL DEFAULT 'SYNCED' CHECK (sync_state IN ('SYNCED', 'PENDING', 'SYNC_NEEDED')),
        sync_failures INTEGER NOT NULL DEFAULT 0,
        sync_detail TEXT,
        -- FlashDevice overrides: the room profile as JSON, the network profile sealed whole
        flash_room_profile TEXT CHECK (flash_room_profile IS NULL OR json_valid(flash_room_profile)),
        flash_network_profile_enc TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        deregistered_at INTEGER
      ) STRICT;
      CREATE INDEX devices_room ON devices (room_id);
      CREATE INDEX devices_network_profile ON devices (network_profile_id);

      -- hashed credentials of the cloud itself (the admin token)
      CREATE TABLE cloud_credentials (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'device-state',
    sql: `
      CREATE TABLE shadows (
        device_id TEXT PRIMARY KEY REFERENCES devices (serial) ON DELETE CASCADE,
        document TEXT NOT NULL CHECK (json_valid(document)),
        version INTEGER NOT NULL CHECK (version >= 0),
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (serial) ON DELETE CASCADE,
        operation TEXT NOT NULL CHECK (operation IN ('reset', 'delete-recordings', 'reboot', 'announce')),
        parameters TEXT NOT NULL CHECK (json_valid(parameters)),
        status TEXT NOT NULL CHECK (status IN ('QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED')),
        status_details TEXT CHECK (status_details IS NULL OR json_valid(status_details)),
        version INTEGER NOT NULL DEFAULT 1,
        -- what created it, e.g. an announcement ARN
        source TEXT,
        queued_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER
      ) STRICT;
      CREATE INDEX jobs_device_status ON jobs (device_id, status, queued_at);
    `,
  },
  {
    version: 3,
    name: 'idempotency',
    sql: `
      CREATE TABLE idempotency_tokens (
        operation TEXT NOT NULL,
        token TEXT NOT NULL,
        -- HMAC of the request (it may hold a network password): same token + same request = same answer
        request_mac TEXT NOT NULL,
        response TEXT NOT NULL CHECK (json_valid(response)),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (operation, token)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX idempotency_tokens_age ON idempotency_tokens (created_at);
    `,
  },
  {
    version: 4,
    name: 'privacy',
    sql: `
      CREATE TABLE usage_data_deletions (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (serial) ON DELETE CASCADE,
        deleted_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX usage_data_deletions_device ON usage_data_deletions (device_id, deleted_at);

      -- metadata only: the audio lives in files owned by the recording store, and no API reads it
      CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (serial) ON DELETE CASCADE,
        room_arn TEXT,
        created_at INTEGER NOT NULL,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1))
      ) STRICT;
      CREATE INDEX recordings_device ON recordings (device_id, created_at);
    `,
  },
  {
    version: 5,
    name: 'device-link',
    sql: `
      -- the device secret hashed in the external broker's own format (e.g. Mosquitto's $7$), computed at
      -- registration when the secret is known, so the broker's password file can be regenerated
      ALTER TABLE devices ADD COLUMN broker_password_hash TEXT;
      -- bumped whenever the device's desired state changes: the desired shadow's profileVersion
      ALTER TABLE devices ADD COLUMN desired_version INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'sealed-shadow-secrets',
    sql: `
      -- the desired state's secret fields (network passwords), sealed with secret.key (shadow-store.ts);
      -- the document column holds none of them
      ALTER TABLE shadows ADD COLUMN secrets_enc TEXT;
      -- work a migration asks for that cannot run inside its transaction, done when the database is
      -- next opened (database.ts): 'scrub' = VACUUM and truncate the WAL, so no old plaintext survives
      CREATE TABLE pending_maintenance (
        task TEXT PRIMARY KEY CHECK (task IN ('scrub')),
        requested_at INTEGER NOT NULL
      ) STRICT;
    `,
    // Databases written before held the passwords in the shadow documents: seal them now. Earlier
    // versions of those documents may survive in free pages and the WAL, so a scrub is asked for
    // whatever this step found.
    data: (db, { box, now }) => {
      const rows = db.prepare(`SELECT device_id, document, version FROM shadows WHERE document <> 'null'`).all() as Array<{
        device_id: string;
        document: string;
        version: number;
      }>;
      const update = db.prepare('UPDATE shadows SET document = ?, secrets_enc = ? WHERE device_id = ?');
      for (const row of rows) {
        const document = JSON.parse(row.document) as { state?: { desired?: unknown } };
        if (!splitDesiredSecrets(document.state?.desired).secrets) continue;
        if (!box) {
          throw new EchosimError('CLOUD_DATABASE_INVALID', 'sealing the shadows\' network passwords needs the cloud\'s secret key', {
            hint: 'Open the database through the cloud (A4bService.open), which reads secret.key.',
          });
        }
        const { json, secretsEnc } = sealShadowDocument(box, row.device_id, row.version, document);
        update.run(json, secretsEnc, row.device_id);
      }
      db.prepare(`INSERT INTO pending_maintenance (task, requested_at) VALUES ('scrub', ?)`).run(now);
    },
  },
  {
    version: 7,
    name: 'credential-key',
    sql: `
      -- Device secrets and the admin token are stored as keyed hashes (HMAC-SHA256 under credential.key,
      -- beside secret.key) from now on. Existing scrypt hashes cannot be converted without the secret:
      -- they stay valid and are rewritten on their next successful login (a4b/credentials.ts).
      -- This records the fingerprint (not the key) of the credential key in use, so a lost or swapped
      -- key file is reported when the cloud opens.
      CREATE TABLE credential_key (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        key_id TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 8,
    name: 'local-command-jobs',
    sql: `
      -- jobs may now be 'local-command' (SendDeviceCommand: volume, do-not-disturb, earcons, a timer,
      -- an alarm, a list item). SQLite cannot change a CHECK in place: the table is rebuilt.
      CREATE TABLE jobs_v8 (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (serial) ON DELETE CASCADE,
        operation TEXT NOT NULL CHECK (operation IN ('reset', 'delete-recordings', 'reboot', 'announce', 'local-command')),
        parameters TEXT NOT NULL CHECK (json_valid(parameters)),
        status TEXT NOT NULL CHECK (status IN ('QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED')),
        status_details TEXT CHECK (status_details IS NULL OR json_valid(status_details)),
        version INTEGER NOT NULL DEFAULT 1,
        source TEXT,
        queued_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER
      ) STRICT;
      INSERT INTO jobs_v8 SELECT id, device_id, operation, parameters, status, status_details, version, source, queued_at, updated_at, expires_at FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_v8 RENAME TO jobs;
      CREATE INDEX jobs_device_status ON jobs (device_id, status, queued_at);
    `,
  },
  {
    version: 9,
    name: 'room-bookings',
    sql: `
      -- Rooms' calendars (docs/alexa-for-business.md#room-bookings): bookings made over the API or by voice.
      -- BOOKED waits for a check-in (released when the room's RequireCheckIn window passes without one),
      -- CHECKED_IN is in use, RELEASED was not checked in in time, ENDED was ended early ("end the
      -- meeting": end_at is then the time it ended). Only BOOKED and CHECKED_IN bookings hold the room.
      CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
        organizer TEXT NOT NULL CHECK (length(organizer) BETWEEN 1 AND 100),
        meeting_id TEXT CHECK (meeting_id IS NULL OR length(meeting_id) BETWEEN 1 AND 20),
        start_at INTEGER NOT NULL,
        end_at INTEGER NOT NULL CHECK (end_at > start_at),
        status TEXT NOT NULL CHECK (status IN ('BOOKED', 'CHECKED_IN', 'RELEASED', 'ENDED')),
        checked_in_at INTEGER,
        -- how it was made: 'api' or 'voice' (an instant booking from the room's device)
        source TEXT NOT NULL CHECK (source IN ('api', 'voice')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX bookings_room_start ON bookings (room_id, start_at);
      CREATE INDEX bookings_status_start ON bookings (status, start_at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

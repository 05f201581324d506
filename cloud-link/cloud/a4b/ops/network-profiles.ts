import { z } from 'zod';
import { makeArn, newResourceId } from '../arn.js';
import { operation } from '../context.js';
import { devicesUsingNetworkProfile } from '../desired-state.js';
import { assertDeviceAcceptsNetworkProfile } from '../device-contract.js';
import { A4bError } from '../errors.js';
import { idempotent } from '../idempotency.js';
import {
  CreateNetworkProfileInput,
  networkProfileProblems,
  UpdateNetworkProfileInput,
  type NetworkProfileSettings,
} from '../network-profile-schema.js';
import { assertNameFree, loadNetworkProfile, passwordContext, renderNetworkProfile, type NetworkProfileRow } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, invalidField, SearchFields } from '../validation.js';

/**
 * Network profiles: CreateNetworkProfile, GetNetworkProfile, UpdateNetworkProfile,
 * DeleteNetworkProfile, SearchNetworkProfiles.
 *
 * Passwords are sealed (AES-GCM, bound to the profile and field) before they touch the database and
 * are never rendered. Password rotation follows A4B: set NextPassword, let the devices report that
 * they hold it, change the real network, then make it the CurrentPassword and clear NextPassword.
 * Every change is re-sent to the devices using the profile.
 */

const CreateNetworkProfile = operation(CreateNetworkProfileInput, (ctx, input) =>
  idempotent(ctx, 'CreateNetworkProfile', input.ClientRequestToken, input, () => {
    const { ClientRequestToken: _token, NextPassword, ...body } = input;
    assertDeviceAcceptsNetworkProfile(NextPassword ? { ...body, NextPassword } : body, '');
    assertNameFree(ctx.db, 'network_profiles', input.NetworkProfileName, 'network profile');
    const id = newResourceId();
    const now = ctx.now();
    const seal = (field: 'CurrentPassword' | 'NextPassword', value: string | undefined): string | null =>
      value === undefined || value === '' ? null : ctx.box.seal(value, passwordContext(id, field));
    ctx.db
      .prepare(
        `INSERT INTO network_profiles (id, name, description, ssid, security_type, eap_method, certificate_authority_arn,
           trust_anchors, current_password_enc, next_password_enc, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.NetworkProfileName,
        input.Description ?? null,
        input.Ssid,
        input.SecurityType,
        input.EapMethod ?? null,
        input.CertificateAuthorityArn ?? null,
        input.TrustAnchors ? JSON.stringify(input.TrustAnchors) : null,
        seal('CurrentPassword', input.CurrentPassword),
        seal('NextPassword', input.NextPassword),
        now,
        now,
      );
    return { NetworkProfileArn: makeArn('network-profile', id) };
  }),
);

const GetNetworkProfile = operation(
  z.strictObject({ NetworkProfileArn: ArnInput }),
  (ctx, input) => ({ NetworkProfile: renderNetworkProfile(loadNetworkProfile(ctx.db, input.NetworkProfileArn)) }),
  { readOnly: true },
);

const UpdateNetworkProfile = operation(UpdateNetworkProfileInput, (ctx, input) => {
  for (const field of ['Ssid', 'SecurityType'] as const) {
    if (input[field] !== undefined) {
      throw invalidField(field, 'cannot be updated; create a new network profile and associate the devices with it');
    }
  }
  const row = loadNetworkProfile(ctx.db, input.NetworkProfileArn);
  const name = input.NetworkProfileName ?? row.name;
  if (name !== row.name) assertNameFree(ctx.db, 'network_profiles', name, 'network profile', row.id);
  const description = input.Description ?? row.description;
  const ca = input.CertificateAuthorityArn ?? row.certificate_authority_arn;
  const anchors = input.TrustAnchors ? JSON.stringify(input.TrustAnchors) : row.trust_anchors;
  let current = row.current_password_enc;
  if (input.CurrentPassword !== undefined) current = ctx.box.seal(input.CurrentPassword, passwordContext(row.id, 'CurrentPassword'));
  let next = row.next_password_enc;
  if (input.NextPassword !== undefined) {
    next = input.NextPassword === '' ? null : ctx.box.seal(input.NextPassword, passwordContext(row.id, 'NextPassword'));
  }

  // The rules on the result, as a device will get it. Stored passwords are already known to be
  // well formed, so a placeholder stands in for them: nothing needs decrypting here.
  const STORED = '*****';
  const result: NetworkProfileSettings = {
    NetworkProfileName: name,
    ...(description === null ? {} : { Description: description }),
    Ssid: row.ssid,
    SecurityType: row.security_type,
    ...(row.eap_method === null ? {} : { EapMethod: row.eap_method }),
    ...(ca === null ? {} : { CertificateAuthorityArn: ca }),
    ...(anchors === null ? {} : { TrustAnchors: JSON.parse(anchors) as string[] }),
    ...(current === null ? {} : { CurrentPassword: input.CurrentPassword ?? STORED }),
    ...(next === null ? {} : { NextPassword: input.NextPassword || STORED }),
  };
  const problem = networkProfileProblems(result)[0];
  if (problem) throw invalidField(problem.path, problem.message);
  assertDeviceAcceptsNetworkProfile(result, '');

  const changed =
    name !== row.name ||
    description !== row.description ||
    ca !== row.certificate_authority_arn ||
    anchors !== row.trust_anchors ||
    input.CurrentPassword !== undefined ||
    input.NextPassword !== undefined;
  if (!changed) return {};
  ctx.db
    .prepare(
      `UPDATE network_profiles SET name = ?, description = ?, certificate_authority_arn = ?, trust_anchors = ?,
         current_password_enc = ?, next_password_enc = ?, updated_at = ? WHERE id = ?`,
    )
    .run(name, description, ca, anchors, current, next, ctx.now(), row.id);
  ctx.desiredChanged(devicesUsingNetworkProfile(ctx.db, row.id));
  return {};
});

const DeleteNetworkProfile = operation(z.strictObject({ NetworkProfileArn: ArnInput }), (ctx, input) => {
  const row = loadNetworkProfile(ctx.db, input.NetworkProfileArn);
  const users = (ctx.db.prepare('SELECT count(*) AS n FROM devices WHERE network_profile_id = ?').get(row.id) as { n: number }).n;
  if (users > 0) {
    throw new A4bError(
      'ResourceInUseException',
      `network profile ${row.name} is used by ${users} device(s); associate them with another network profile first`,
    );
  }
  ctx.db.prepare('DELETE FROM network_profiles WHERE id = ?').run(row.id);
  return {};
});

const SearchNetworkProfiles = operation(
  z.strictObject(SearchFields),
  (ctx, input) => {
    const columns = { NetworkProfileName: 'n.name', Ssid: 'n.ssid', SecurityType: 'n.security_type' };
    const page = runSearch<NetworkProfileRow>(
      ctx.db,
      'SearchNetworkProfiles',
      { query: 'SELECT n.* FROM network_profiles n', filters: columns, sorts: columns, order: 'n.name COLLATE NOCASE, n.id' },
      input,
    );
    const NetworkProfiles = page.rows.map((row) => {
      const { TrustAnchors: _anchors, ...data } = renderNetworkProfile(row);
      return data;
    });
    return { NetworkProfiles, TotalCount: page.total, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  },
  { readOnly: true },
);

export const networkProfileOperations = {
  CreateNetworkProfile,
  GetNetworkProfile,
  UpdateNetworkProfile,
  DeleteNetworkProfile,
  SearchNetworkProfiles,
};

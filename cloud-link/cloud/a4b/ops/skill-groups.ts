import { z } from 'zod';
import { makeArn, newResourceId } from '../arn.js';
import { operation, type OpContext } from '../context.js';
import { devicesInRoom, devicesInSkillGroupRooms } from '../desired-state.js';
import { idempotent } from '../idempotency.js';
import { assertNameFree, loadRoom, loadSkillGroup, type SkillGroupRow } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, ClientRequestToken, SearchFields, text } from '../validation.js';

/**
 * Skill groups and their associations: the skills of every group associated with a room are enabled
 * on every device in that room, so each association change re-targets those devices.
 */

/** A4B's skill id forms: amzn1.ask.skill.<uuid> and the older amzn1.echo-sdk-ams.app.<uuid>. */
const SkillId = z
  .string()
  .regex(/^(amzn1\.ask\.skill\.[0-9a-f-]{1,200}|amzn1\.echo-sdk-ams\.app\.[0-9a-f-]{1,200})$/, 'must be a skill id like amzn1.ask.skill.<uuid>');

function skillsOf(ctx: OpContext, groupId: string): string[] {
  return (
    ctx.db.prepare('SELECT skill_id FROM skill_group_skills WHERE skill_group_id = ? ORDER BY skill_id').all(groupId) as Array<{
      skill_id: string;
    }>
  ).map((r) => r.skill_id);
}

function renderSkillGroup(row: SkillGroupRow): Record<string, unknown> {
  return {
    SkillGroupArn: makeArn('skill-group', row.id),
    SkillGroupName: row.name,
    ...(row.description === null ? {} : { Description: row.description }),
  };
}

const CreateSkillGroup = operation(
  z.strictObject({ SkillGroupName: text(1, 100), Description: text(1, 200).optional(), ClientRequestToken: ClientRequestToken.optional() }),
  (ctx, input) =>
    idempotent(ctx, 'CreateSkillGroup', input.ClientRequestToken, input, () => {
      assertNameFree(ctx.db, 'skill_groups', input.SkillGroupName, 'skill group');
      const id = newResourceId();
      const now = ctx.now();
      ctx.db
        .prepare('INSERT INTO skill_groups (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, input.SkillGroupName, input.Description ?? null, now, now);
      return { SkillGroupArn: makeArn('skill-group', id) };
    }),
);

const GetSkillGroup = operation(
  z.strictObject({ SkillGroupArn: ArnInput }),
  (ctx, input) => {
    const row = loadSkillGroup(ctx.db, input.SkillGroupArn);
    // SkillIds: echosim extension (A4B lists a group's skills with ListSkills)
    return { SkillGroup: { ...renderSkillGroup(row), SkillIds: skillsOf(ctx, row.id) } };
  },
  { readOnly: true },
);

const UpdateSkillGroup = operation(
  z.strictObject({ SkillGroupArn: ArnInput, SkillGroupName: text(1, 100).optional(), Description: text(1, 200).optional() }),
  (ctx, input) => {
    const row = loadSkillGroup(ctx.db, input.SkillGroupArn);
    const name = input.SkillGroupName ?? row.name;
    if (name !== row.name) assertNameFree(ctx.db, 'skill_groups', name, 'skill group', row.id);
    ctx.db
      .prepare('UPDATE skill_groups SET name = ?, description = ?, updated_at = ? WHERE id = ?')
      .run(name, input.Description ?? row.description, ctx.now(), row.id);
    return {};
  },
);

const DeleteSkillGroup = operation(z.strictObject({ SkillGroupArn: ArnInput }), (ctx, input) => {
  const row = loadSkillGroup(ctx.db, input.SkillGroupArn);
  const devices = skillsOf(ctx, row.id).length > 0 ? devicesInSkillGroupRooms(ctx.db, row.id) : [];
  ctx.db.prepare('DELETE FROM skill_groups WHERE id = ?').run(row.id);
  ctx.desiredChanged(devices);
  return {};
});

const SearchSkillGroups = operation(
  z.strictObject(SearchFields),
  (ctx, input) => {
    const page = runSearch<SkillGroupRow>(
      ctx.db,
      'SearchSkillGroups',
      {
        query: 'SELECT g.id, g.name, g.description FROM skill_groups g',
        filters: { SkillGroupName: 'g.name' },
        sorts: { SkillGroupName: 'g.name' },
        order: 'g.name COLLATE NOCASE, g.id',
      },
      input,
    );
    return { SkillGroups: page.rows.map(renderSkillGroup), TotalCount: page.total, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  },
  { readOnly: true },
);

const GroupAndRoom = z.strictObject({ SkillGroupArn: ArnInput, RoomArn: ArnInput });

const AssociateSkillGroupWithRoom = operation(GroupAndRoom, (ctx, input) => {
  const group = loadSkillGroup(ctx.db, input.SkillGroupArn);
  const room = loadRoom(ctx.db, input.RoomArn);
  const added = ctx.db.prepare('INSERT OR IGNORE INTO room_skill_groups (room_id, skill_group_id) VALUES (?, ?)').run(room.id, group.id).changes;
  if (added > 0 && skillsOf(ctx, group.id).length > 0) ctx.desiredChanged(devicesInRoom(ctx.db, room.id));
  return {};
});

const DisassociateSkillGroupFromRoom = operation(GroupAndRoom, (ctx, input) => {
  const group = loadSkillGroup(ctx.db, input.SkillGroupArn);
  const room = loadRoom(ctx.db, input.RoomArn);
  const removed = ctx.db.prepare('DELETE FROM room_skill_groups WHERE room_id = ? AND skill_group_id = ?').run(room.id, group.id).changes;
  if (removed > 0 && skillsOf(ctx, group.id).length > 0) ctx.desiredChanged(devicesInRoom(ctx.db, room.id));
  return {};
});

const GroupAndSkill = z.strictObject({ SkillGroupArn: ArnInput, SkillId });

const AssociateSkillWithSkillGroup = operation(GroupAndSkill, (ctx, input) => {
  const group = loadSkillGroup(ctx.db, input.SkillGroupArn);
  const added = ctx.db
    .prepare('INSERT OR IGNORE INTO skill_group_skills (skill_group_id, skill_id) VALUES (?, ?)')
    .run(group.id, input.SkillId).changes;
  if (added > 0) ctx.desiredChanged(devicesInSkillGroupRooms(ctx.db, group.id));
  return {};
});

const DisassociateSkillFromSkillGroup = operation(GroupAndSkill, (ctx, input) => {
  const group = loadSkillGroup(ctx.db, input.SkillGroupArn);
  const removed = ctx.db.prepare('DELETE FROM skill_group_skills WHERE skill_group_id = ? AND skill_id = ?').run(group.id, input.SkillId).changes;
  if (removed > 0) ctx.desiredChanged(devicesInSkillGroupRooms(ctx.db, group.id));
  return {};
});

export const skillGroupOperations = {
  CreateSkillGroup,
  GetSkillGroup,
  UpdateSkillGroup,
  DeleteSkillGroup,
  SearchSkillGroups,
  AssociateSkillGroupWithRoom,
  DisassociateSkillGroupFromRoom,
  AssociateSkillWithSkillGroup,
  DisassociateSkillFromSkillGroup,
};

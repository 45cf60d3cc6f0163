import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { alphanumeric, randomCode, uuidv7 } from '../src/platform/ids.js';
import { call } from './factories.js';
import { createTestApp } from './harness.js';
import { type ActorName, actorNames, buildWorld } from './world.js';

const { app, database } = await createTestApp();
const { db } = database;
const world = await buildWorld(app, database);
const idOf = (actor: ActorName) => world.actors[actor].user.id;
const communityMembers: ActorName[] = ['member', 'moderator', 'communityAdmin', 'communityOwner', 'timedOut'];

/** What each row acts on, made fresh for the row, with one invite and a `general` channel. */
const seeds = {
  /** A public group of the community owner's with every community member in it. */
  public: { creator: 'communityOwner', personal: false, everyone: true, allowInvites: false },
  /** A public group with only its owner, the community owner, in it. */
  joinable: { creator: 'communityOwner', personal: false, everyone: false, allowInvites: false },
  /** `member`'s personal group, created by the community admin; `member` holds the owner role. */
  personal: { creator: 'communityAdmin', personal: true, everyone: false, allowInvites: false },
  personalInvites: { creator: 'communityAdmin', personal: true, everyone: false, allowInvites: true },
  /** Created by `timedOut`, a plain member, e.g. a moderator demoted since. */
  personalByMember: { creator: 'timedOut', personal: true, everyone: false, allowInvites: false },
} as const satisfies Record<
  string,
  { creator: ActorName; personal: boolean; everyone: boolean; allowInvites: boolean }
>;
type Seed = keyof typeof seeds;
interface Target {
  groupId: string;
  channelId: string;
  inviteId: string;
  code: string;
}

async function seed(kind: Seed): Promise<Target> {
  const { creator, personal, everyone, allowInvites } = seeds[kind];
  const [groupId, channelId, inviteId] = [uuidv7(), uuidv7(), uuidv7()];
  const code = randomCode(12, alphanumeric);
  const owner: ActorName = personal ? 'member' : creator;
  const rows = (everyone ? communityMembers : [owner]).map((actor) => ({
    user_id: idOf(actor),
    role: actor === owner ? ('owner' as const) : ('member' as const),
  }));
  await db
    .insertInto('groups')
    .values({
      id: groupId,
      name: 'Target',
      community_id: world.communityId,
      owner_id: idOf(creator),
      visibility: personal ? 'private' : 'public',
      discoverable: !personal,
      assigned_member_id: personal ? idOf('member') : null,
      allow_invites: allowInvites,
    })
    .execute();
  await db
    .insertInto('group_members')
    .values(rows.map((row) => ({ ...row, group_id: groupId })))
    .execute();
  const channel = { id: channelId, name: 'general', channel_type: 'text' as const, created_by: idOf(owner) };
  await db
    .insertInto('channels')
    .values({ ...channel, group_id: groupId })
    .execute();
  await db
    .insertInto('channel_members')
    .values(rows.map((row) => ({ ...row, channel_id: channelId })))
    .execute();
  await db
    .insertInto('group_invites')
    .values({ id: inviteId, group_id: groupId, code, created_by: idOf(owner) })
    .execute();
  return { groupId, channelId, inviteId, code };
}

/** Everything a group call could change, without timestamps. */
async function snapshot({ groupId }: Target) {
  const channels = db.selectFrom('channels').select('id').where('group_id', '=', groupId);
  return Promise.all([
    db
      .selectFrom('groups')
      .select(['name', 'owner_id', 'allow_invites', 'visibility'])
      .where('id', '=', groupId)
      .execute(),
    db
      .selectFrom('group_members')
      .select(['user_id', 'role'])
      .where('group_id', '=', groupId)
      .orderBy('user_id')
      .execute(),
    db.selectFrom('channels').select(['id', 'name']).where('group_id', '=', groupId).orderBy('id').execute(),
    db
      .selectFrom('channel_members')
      .select(['channel_id', 'user_id', 'role'])
      .where('channel_id', 'in', channels)
      .orderBy('channel_id')
      .orderBy('user_id')
      .execute(),
    db
      .selectFrom('group_invites')
      .select(['id', 'used_count'])
      .where('group_id', '=', groupId)
      .orderBy('id')
      .execute(),
    sql`select count(*) as n from groups where community_id = ${world.communityId}`
      .execute(db)
      .then((r) => r.rows),
  ]);
}

type Expect = Record<ActorName, number>;
const statuses = (allowed: Partial<Expect>, otherwise = 403): Expect =>
  Object.fromEntries(actorNames.map((actor) => [actor, allowed[actor] ?? otherwise])) as Expect;
const ok = (...actors: ActorName[]) =>
  Object.fromEntries(actors.map((actor) => [actor, 200])) as Partial<Expect>;
const viewers = ok('member', 'moderator', 'communityAdmin', 'communityOwner', 'timedOut', 'instanceOwner');
const managers = ok('communityOwner', 'instanceOwner');
const personalStaff = ok('moderator', 'communityAdmin', 'communityOwner', 'instanceOwner');
const personalViewers = { ...personalStaff, member: 200 };

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface Case {
  name: string;
  seed: Seed;
  method: Method;
  path: (t: Target) => string;
  expect: Expect;
  payload?: object;
  /** Succeed without changing anything (an idempotent join). */
  idempotentFor?: ActorName[];
}

const row = (
  name: string,
  seed: Seed,
  method: Method,
  path: (t: Target) => string,
  expect: Expect,
  extra: Pick<Case, 'payload' | 'idempotentFor'> = {},
): Case => ({ name, seed, method, path, expect, ...extra });
const group =
  (suffix = '') =>
  (t: Target) =>
    `/api/groups/${t.groupId}${suffix}`;
const channel = (t: Target) => `/api/groups/${t.groupId}/channels/${t.channelId}`;
const newGroup = { community_id: world.communityId, name: 'New' };
const joiners = ok('member', 'moderator', 'communityAdmin', 'timedOut');

const cases: Case[] = [
  row('GET /api/groups', 'public', 'GET', () => '/api/groups', statuses({}, 200)),
  row('GET /api/groups/discover', 'public', 'GET', () => '/api/groups/discover', statuses({}, 200)),
  row(
    'POST /api/groups',
    'public',
    'POST',
    () => '/api/groups',
    statuses(ok('communityAdmin', 'communityOwner')),
    {
      payload: newGroup,
    },
  ),
  row(
    'POST /api/groups personal',
    'public',
    'POST',
    () => '/api/groups',
    statuses(ok('communityAdmin', 'communityOwner')),
    {
      payload: { ...newGroup, assigned_member_id: idOf('member') },
    },
  ),
  row('GET group', 'public', 'GET', group(), statuses(viewers)),
  row('PATCH group', 'public', 'PATCH', group(), statuses(managers), { payload: { name: 'Renamed' } }),
  row('PATCH group allow_invites', 'public', 'PATCH', group(), statuses(managers), {
    payload: { allow_invites: true },
  }),
  row('DELETE group', 'public', 'DELETE', group(), statuses(ok('communityOwner'))),
  row(
    'POST transfer-ownership',
    'public',
    'POST',
    group('/transfer-ownership'),
    statuses(ok('communityOwner')),
    {
      payload: { new_owner_id: idOf('moderator') },
    },
  ),
  row('POST join', 'joinable', 'POST', group('/join'), statuses({ ...joiners, communityOwner: 200 }), {
    idempotentFor: ['communityOwner'],
  }),
  row('POST leave', 'public', 'POST', group('/leave'), statuses({ ...joiners, communityOwner: 400 })),
  row('GET members', 'public', 'GET', group('/members'), statuses(viewers)),
  row('GET channels', 'public', 'GET', group('/channels'), statuses(viewers)),
  row('POST channels', 'public', 'POST', group('/channels'), statuses(managers), {
    payload: { name: 'new', channel_type: 'text' },
  }),
  row('PATCH channel', 'public', 'PATCH', channel, statuses(managers), { payload: { name: 'renamed' } }),
  row('DELETE channel', 'public', 'DELETE', channel, statuses(managers)),
  row('GET invites', 'public', 'GET', group('/invites'), statuses(managers)),
  row('POST invites', 'public', 'POST', group('/invites'), statuses(managers)),
  row(
    'DELETE invite',
    'public',
    'DELETE',
    (t) => `/api/groups/${t.groupId}/invites/${t.inviteId}`,
    statuses(managers),
  ),
  row('GET /api/invites/:code', 'public', 'GET', (t) => `/api/invites/${t.code}`, statuses({}, 200)),
  row(
    'POST /api/invites/:code/accept',
    'joinable',
    'POST',
    (t) => `/api/invites/${t.code}/accept`,
    statuses({ ...joiners, communityOwner: 409, banned: 403 }, 400),
  ),
  row('personal: GET', 'personal', 'GET', group(), statuses(personalViewers)),
  row('personal: GET members', 'personal', 'GET', group('/members'), statuses(personalViewers)),
  row('personal: PATCH', 'personal', 'PATCH', group(), statuses(personalViewers), {
    payload: { name: 'Renamed' },
  }),
  row('personal: PATCH allow_invites', 'personal', 'PATCH', group(), statuses(personalStaff), {
    payload: { allow_invites: true },
  }),
  row('personal: DELETE', 'personal', 'DELETE', group(), statuses(personalStaff)),
  row(
    'personal by a plain member: DELETE',
    'personalByMember',
    'DELETE',
    group(),
    statuses({ ...personalStaff, timedOut: 200 }),
  ),
  row('personal: POST join', 'personal', 'POST', group('/join'), statuses({})),
  row('personal: POST leave', 'personal', 'POST', group('/leave'), statuses({ member: 400 })),
  row(
    'personal: POST transfer-ownership',
    'personal',
    'POST',
    group('/transfer-ownership'),
    statuses({ member: 400 }),
    {
      payload: { new_owner_id: idOf('member') },
    },
  ),
  row('personal: POST channels', 'personal', 'POST', group('/channels'), statuses(personalViewers), {
    payload: { name: 'new', channel_type: 'voice' },
  }),
  row(
    'personal, invites off: POST invites',
    'personal',
    'POST',
    group('/invites'),
    statuses({ ...personalStaff, member: 400 }),
  ),
  row(
    'personal, invites on: POST invites',
    'personalInvites',
    'POST',
    group('/invites'),
    statuses(personalViewers),
  ),
];

describe.each(cases)('$name', (testCase) => {
  it.each(actorNames)('as %s', async (actor) => {
    const target = await seed(testCase.seed);
    const before = await snapshot(target);
    const { method, path, payload } = testCase;
    const response = await call(app, {
      method,
      url: path(target),
      headers: world.actors[actor].headers,
      ...(method !== 'GET' && { payload: payload ?? {} }),
    });
    expect(response.statusCode, response.body).toBe(testCase.expect[actor]);
    const after = await snapshot(target);
    const changes =
      method !== 'GET' && response.statusCode === 200 && !testCase.idempotentFor?.includes(actor);
    if (changes) expect(after).not.toEqual(before);
    else expect(after).toEqual(before);
  });
});

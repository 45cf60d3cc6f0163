import { acceptCommunityInvite, previewCommunityInvite } from './communities';
import { acceptGroupInvite, previewGroupInvite } from './groups';
import { ApiError } from './http';

/** A community or group invite, as the invite page shows it. */
export interface InvitePreview {
  kind: 'community' | 'group';
  code: string;
  name: string;
  description: string | null;
  memberCount: number;
}

export interface JoinedTarget {
  kind: 'community' | 'group';
  id: string;
  name: string;
}

/** A community invite, looked up by its code. */
export async function communityInvitePreview(code: string): Promise<InvitePreview> {
  const community = await previewCommunityInvite(code);
  return {
    kind: 'community',
    code: community.code,
    name: community.community_name,
    description: community.community_description,
    memberCount: community.member_count,
  };
}

/** A group invite, looked up by its code. */
export async function groupInvitePreview(code: string): Promise<InvitePreview> {
  const group = await previewGroupInvite(code);
  return {
    kind: 'group',
    code: group.code,
    name: group.group_name,
    description: group.group_description,
    memberCount: group.member_count,
  };
}

/**
 * An `/invite/<code>` link can be either kind: community invites are tried first, then group invites
 * (rest-api.md §7.1). When both fail, the group's answer is shown unless it is a bare "not found" and the
 * community's said more (e.g. "invite expired").
 */
export async function previewInvite(code: string): Promise<InvitePreview> {
  try {
    return await communityInvitePreview(code);
  } catch (communityError) {
    if (!(communityError instanceof ApiError) || communityError.status === 0) throw communityError;
    try {
      return await groupInvitePreview(code);
    } catch (groupError) {
      const groupNotFound = groupError instanceof ApiError && groupError.status === 404;
      throw groupNotFound && communityError.status !== 404 ? communityError : groupError;
    }
  }
}

export async function acceptInvite(invite: InvitePreview): Promise<JoinedTarget> {
  if (invite.kind === 'community') {
    const joined = await acceptCommunityInvite(invite.code);
    return { kind: 'community', id: joined.community_id, name: joined.community_name };
  }
  const joined = await acceptGroupInvite(invite.code);
  return { kind: 'group', id: joined.group_id, name: joined.group_name };
}

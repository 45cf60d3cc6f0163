import type {
  AcceptCommunityInviteResponse,
  Community,
  CommunityInvitePreview,
  CommunityMember,
  CreateCommunityRequest,
} from '@chatalot/protocol';
import { http } from './http';

/** The server's page size cap for community lists and member lists. */
const PAGE_MAX = 500;

/** The caller's communities, by name. */
export function listCommunities(): Promise<Community[]> {
  return http.get<Community[]>('/api/communities', { limit: PAGE_MAX });
}

/** Allowed for instance admins (or everyone when the server's creation mode is open). */
export function createCommunity(body: CreateCommunityRequest): Promise<Community> {
  return http.post<Community>('/api/communities', body);
}

/** One page of members: owner first, then admins, moderators and members, each by join date. */
export function listCommunityMembers(
  communityId: string,
  { limit = PAGE_MAX, offset = 0 }: { limit?: number; offset?: number } = {},
): Promise<CommunityMember[]> {
  return http.get<CommunityMember[]>(`/api/communities/${communityId}/members`, { limit, offset });
}

export function previewCommunityInvite(code: string): Promise<CommunityInvitePreview> {
  return http.get<CommunityInvitePreview>(`/api/community-invites/${encodeURIComponent(code)}`);
}

export function acceptCommunityInvite(code: string): Promise<AcceptCommunityInviteResponse> {
  return http.post<AcceptCommunityInviteResponse>(
    `/api/community-invites/${encodeURIComponent(code)}/accept`,
  );
}

import { describe, expect, it } from 'vitest';
import { channelPath, NO_COMMUNITY, parseInviteCode } from './paths';

describe('paths', () => {
  it('puts DMs under /dm and channels under their community, or the one being looked at', () => {
    expect(channelPath({ id: 'd', kind: 'dm', communityId: null }, 'c')).toBe('/dm/d');
    expect(channelPath({ id: 'x', kind: 'text', communityId: 'home' }, 'other')).toBe('/c/home/x');
    expect(channelPath({ id: 'x', kind: 'text', communityId: null }, 'other')).toBe('/c/other/x');
    expect(channelPath({ id: 'x', kind: 'text', communityId: null }, null)).toBe(`/c/${NO_COMMUNITY}/x`);
  });

  it('takes an invite code from a bare code or any invite link (NAV-04, NAV-13)', () => {
    expect(parseInviteCode('  Ab12Cd34Ef56 ')).toBe('Ab12Cd34Ef56');
    expect(parseInviteCode('https://chat.example.org/invite/Ab12Cd34Ef56')).toBe('Ab12Cd34Ef56');
    expect(parseInviteCode('https://chat.example.org/invite/Ab12Cd34Ef56/')).toBe('Ab12Cd34Ef56');
    expect(parseInviteCode('/invite/Ab12Cd34Ef56')).toBe('Ab12Cd34Ef56');
    expect(parseInviteCode('')).toBe('');
  });
});

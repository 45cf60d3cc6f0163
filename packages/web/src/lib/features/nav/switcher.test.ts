import { describe, expect, it } from 'vitest';
import { dmToNavChannel, toNavChannel } from './nav-types';
import { rankSwitcher, type SwitcherItem, switcherItems } from './switcher';
import { channel, community, dm, group, user } from './test-fixtures';

function item(name: string, order: number, extra: Partial<SwitcherItem> = {}): SwitcherItem {
  return {
    channel: toNavChannel(channel(null, { name }), new Map()),
    context: '',
    unread: 0,
    order,
    ...extra,
  };
}
const names = (items: SwitcherItem[]) => items.map((i) => i.channel.name);

describe('quick switcher ranking (NAV-20)', () => {
  const items = [
    item('dev-general', 0),
    item('general', 1),
    item('generators', 2),
    item('offtopic', 3, { context: 'General Chat' }),
    item('regenerate', 4),
  ];

  it('ranks exact, prefix, word start, substring, then context matches', () => {
    expect(names(rankSwitcher(items, 'GENERAL'))).toEqual(['general', 'dev-general', 'offtopic']);
    expect(names(rankSwitcher(items, 'gen'))).toEqual([
      'general',
      'generators',
      'dev-general',
      'regenerate',
      'offtopic',
    ]);
  });

  it('shows unread first, then sidebar order, at most ten, without a query', () => {
    const many = Array.from({ length: 14 }, (_, i) => item(`c${i}`, i, { unread: i === 12 ? 4 : 0 }));
    const ranked = rankSwitcher(many, '');
    expect(ranked).toHaveLength(10);
    expect(names(ranked).slice(0, 3)).toEqual(['c12', 'c0', 'c1']);
  });

  it('finds nothing for a query that matches nothing', () => {
    expect(rankSwitcher(items, 'zzz')).toEqual([]);
  });

  it('lists the active community, standalone channels, DMs, then other communities', () => {
    const home = community({ name: 'Home' });
    const away = community({ name: 'Away' });
    const homeGroup = group(home.id, { name: 'Team' });
    const awayGroup = group(away.id, { name: 'Club' });
    const groups = new Map([
      [homeGroup.id, homeGroup],
      [awayGroup.id, awayGroup],
    ]);
    const homeChannel = toNavChannel(channel(homeGroup.id, { name: 'team-chat' }), groups);
    const awayChannel = toNavChannel(channel(awayGroup.id, { name: 'club-chat' }), groups);
    const loose = toNavChannel(channel(null, { name: 'loose' }), groups);
    const bob = dmToNavChannel(dm(user({ username: 'bob', display_name: 'Bob' })));
    const list = switcherItems({
      communities: [away, home],
      activeCommunityId: home.id,
      dms: [bob],
      standaloneChannels: [loose],
      groupsOf: (id) => [homeGroup, awayGroup].filter((g) => g.community_id === id),
      channelsOf: (id) => [homeChannel, awayChannel].filter((c) => c.groupId === id),
      unread: () => 0,
    });
    expect(list.map((i) => [i.channel.name, i.context])).toEqual([
      ['team-chat', 'Team · Home'],
      ['loose', ''],
      ['Bob', 'bob'],
      ['club-chat', 'Club · Away'],
    ]);
    expect(names(rankSwitcher(list, 'club'))).toEqual(['club-chat']);
  });
});

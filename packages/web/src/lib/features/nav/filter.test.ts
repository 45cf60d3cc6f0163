import { describe, expect, it } from 'vitest';
import { filterDms, filterGroups } from './filter';
import { dmToNavChannel, type NavChannel, toNavChannel } from './nav-types';
import { channel, community, dm, group, user } from './test-fixtures';

const home = community();
const design = group(home.id, { name: 'Design' });
const backend = group(home.id, { name: 'Backend' });
const groups = new Map([
  [design.id, design],
  [backend.id, backend],
]);
const record = (groupId: string, name: string) => toNavChannel(channel(groupId, { name }), groups);
const channels: Record<string, NavChannel[]> = {
  [design.id]: [record(design.id, 'ui'), record(design.id, 'Logos')],
  [backend.id]: [record(backend.id, 'api'), record(backend.id, 'database')],
};
const channelsOf = (id: string) => channels[id] ?? [];
const names = (result: ReturnType<typeof filterGroups>) =>
  result.map(({ group, channels }) => [group.name, channels.map((c) => c.name)]);

describe('the sidebar filter (NAV-10)', () => {
  it('keeps everything when empty', () => {
    expect(names(filterGroups([design, backend], channelsOf, '  '))).toEqual([
      ['Design', ['ui', 'Logos']],
      ['Backend', ['api', 'database']],
    ]);
  });

  it('keeps the matching channels of each group, case-insensitively, and drops empty groups', () => {
    expect(names(filterGroups([design, backend], channelsOf, 'LOG'))).toEqual([['Design', ['Logos']]]);
    expect(names(filterGroups([design, backend], channelsOf, 'a'))).toEqual([
      ['Backend', ['api', 'database']],
    ]);
  });

  it('keeps all channels of a group whose name matches', () => {
    expect(names(filterGroups([design, backend], channelsOf, 'sign'))).toEqual([['Design', ['ui', 'Logos']]]);
  });

  it('finds DMs by display name or username', () => {
    const dms = [
      dmToNavChannel(dm(user({ username: 'bob42', display_name: 'Robert' }))),
      dmToNavChannel(dm(user({ username: 'carol', display_name: 'Carol' }))),
    ];
    expect(filterDms(dms, 'bob').map((d) => d.name)).toEqual(['Robert']);
    expect(filterDms(dms, 'CAR').map((d) => d.name)).toEqual(['Carol']);
    expect(filterDms(dms, 'zed')).toEqual([]);
  });
});

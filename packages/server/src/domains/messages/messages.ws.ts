import type { Dispatcher } from '../../realtime/dispatch.js';
import type { Typing } from '../../realtime/typing.js';
import { presentSent } from './messages.present.js';
import type { MessagesService } from './messages.service.js';
import type { ReactionsService } from './reactions.service.js';
import type { ReadStateService } from './read-state.service.js';

export interface MessageServices {
  messages: MessagesService;
  reactions: ReactionsService;
  readState: ReadStateService;
  typing: Typing;
}

/** The message frames of websocket.md §6.2–6.4 and §6.16–6.19. */
export function registerMessageFrames(dispatcher: Dispatcher, services: MessageServices): void {
  const { messages, reactions, readState, typing } = services;

  dispatcher.on('send_message', async (connection, frame) => {
    const message = await messages.send({ id: connection.userId }, frame);
    typing.messageSent(connection.userId, message.channel_id);
    connection.send({ ...presentSent(message), ...(frame.ref !== undefined && { ref: frame.ref }) });
  });
  dispatcher.on('edit_message', (connection, frame) => messages.edit({ id: connection.userId }, frame));
  dispatcher.on('delete_message', async (connection, frame) => {
    await messages.delete(await messages.sender(connection.userId), frame.message_id);
  });

  dispatcher.on('add_reaction', (connection, frame) =>
    reactions.add(connection.userId, frame.message_id, frame.emoji),
  );
  dispatcher.on('remove_reaction', (connection, frame) =>
    reactions.remove(connection.userId, frame.message_id, frame.emoji),
  );

  dispatcher.on('mark_read', (connection, frame) =>
    readState.markRead(connection.userId, frame.channel_id, frame.message_id),
  );
  dispatcher.on('mark_all_read', (connection) => readState.markAllRead(connection.userId));
}

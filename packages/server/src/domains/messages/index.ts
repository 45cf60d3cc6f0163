import type { AppContext } from '../../context.js';
import { HistoryService } from './history.service.js';
import { MessagesService } from './messages.service.js';
import { ReactionsService } from './reactions.service.js';
import { ReadStateService } from './read-state.service.js';

export interface MessagingServices {
  messages: MessagesService;
  reactions: ReactionsService;
  readState: ReadStateService;
  history: HistoryService;
}

export function createMessagingServices({ db, hub, shared, clock }: AppContext): MessagingServices {
  return {
    messages: new MessagesService(db, hub, clock),
    reactions: new ReactionsService(db, hub, shared, clock),
    readState: new ReadStateService(db, hub, clock),
    history: new HistoryService(db, clock),
  };
}

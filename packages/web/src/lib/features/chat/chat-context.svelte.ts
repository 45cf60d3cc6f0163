import { getContext, setContext } from 'svelte';
import type { NavChannel } from '$lib/features/nav/nav-types';
import type { ChannelTimeline } from './channel-timeline.svelte';
import type { ChatMessage } from './chat-types';
import type { People } from './people.svelte';

/** What the open channel's rows, composer and dialogs are doing; one per `ChannelView`. */
export class ChatView {
  replyTo = $state<ChatMessage | null>(null);
  editingId = $state<string | null>(null);
  /** Waiting for the delete confirmation (MSG-19). */
  deleting = $state<ChatMessage | null>(null);
  /** The message whose earlier versions are shown (MSG-18). */
  historyOf = $state<ChatMessage | null>(null);
  /** Briefly highlighted after a jump (MSG-34). */
  flashId = $state<string | null>(null);
}

/** What every part of a channel view shares. */
export interface ChatContext {
  readonly timeline: ChannelTimeline;
  readonly channel: NavChannel | undefined;
  readonly people: People;
  readonly view: ChatView;
  readonly selfId: string | null;
  /** May delete others' messages and post in read-only channels. */
  readonly moderator: boolean;
  /** Scrolls to a message, loading older history if needed, and flashes it. */
  jumpTo(messageId: string): void;
  /** The message's own URL, for "Copy link". */
  linkTo(messageId: string): string;
  focusComposer(): void;
}

/** Exported for component tests, which mount a part of the view with a context of their own. */
export const CHAT_CONTEXT = Symbol('chat');

export function setChatContext(context: ChatContext): void {
  setContext(CHAT_CONTEXT, context);
}

export function chatContext(): ChatContext {
  return getContext<ChatContext>(CHAT_CONTEXT);
}

import type { ChatMessage } from '../../core/chat-request.js';
import { emptyHistory, type SessionHistory } from '../memory-strategies/memory-strategy.js';
import { strategyByName } from '../memory-strategies/strategy-by-name.js';
import type { ConversationRecord, ConversationRecordV2 } from './conversation-record.js';

// Rebuilding a stored conversation from its chain of v2 records (each one turn, linked to the one before):
// walk back from the newest, then replay the turns oldest first through the memory strategy's commit, which
// gives the history a v1 record would have held. The walk stops at the chain's start, at a v1 record (its
// history is the starting point), at a record that is gone or not the owner's, after MAX_CHAIN_DEPTH records,
// or once the turns walked exceed what any strategy keeps (WALK_FACTOR × memorySize tokens, the strategies'
// hard cap): older turns would have been dropped by commit anyway. A walk never stops inside a turn (on a
// record whose input starts with tool results) while it can go on.

/** At most this many records are read per rebuild. */
export const MAX_CHAIN_DEPTH = 256;
/** The strategies keep at most 4 × memorySize tokens of turns (summary.ts, HARD_CAP_FACTOR). */
const WALK_FACTOR = 4;

export interface ChainLink {
  key: string;
  /** The stored text as read (sealed or not): written back unchanged to refresh its TTL. */
  stored: string;
  record: ConversationRecord;
}

export interface ChainReader {
  /** The record at `id` with its stored text, or undefined when missing or unreadable. */
  read(id: string): Promise<{ key: string; stored: string; record: ConversationRecord } | undefined>;
  estimate(model: string, messages: readonly ChatMessage[]): number;
}

export interface RebuiltConversation {
  history: SessionHistory;
  /** Every record read, newest first (their TTLs are refreshed when the conversation continues). */
  links: ChainLink[];
}

const turnTokens = (reader: ChainReader, record: ConversationRecordV2) => reader.estimate(record.model, [...record.input, record.answer]);
const startsInsideTurn = (record: ConversationRecordV2) => record.input[0]?.role === 'tool';

export async function rebuildConversation(head: ChainLink, reader: ChainReader): Promise<RebuiltConversation> {
  if (head.record.v === 1) return { history: head.record.history, links: [head] };
  const turns: ConversationRecordV2[] = [head.record];
  const links: ChainLink[] = [head];
  const cap = head.record.settings.memorySize * WALK_FACTOR;
  let used = turnTokens(reader, head.record);
  let base: SessionHistory | undefined;
  let cursor = head.record.previous;
  while (cursor !== undefined && links.length < MAX_CHAIN_DEPTH && (used <= cap || startsInsideTurn(turns.at(-1)!))) {
    const link = await reader.read(cursor);
    if (!link || link.record.owner !== head.record.owner) break;
    links.push(link);
    if (link.record.v === 1) {
      base = link.record.history;
      break;
    }
    turns.push(link.record);
    used += turnTokens(reader, link.record);
    cursor = link.record.previous;
  }
  const oldest = turns.at(-1)!;
  let history = base ?? emptyHistory({ ...oldest.settings });
  const strategy = strategyByName(history.settings.strategy);
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index]!;
    history = strategy.commit(history, turn.input, turn.answer, (messages) => reader.estimate(turn.model, messages));
  }
  return { history: { ...history, system: head.record.pinned }, links };
}

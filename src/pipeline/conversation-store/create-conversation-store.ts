import type { CallContext, ChatPort } from '../../core/chat-backend.js';
import type { ChatMessage } from '../../core/chat-request.js';
import type { ConversationStore, StoredConversation } from '../../core/conversation-store.js';
import { NotFoundError, ProxyError } from '../../core/errors.js';
import type { MemorySettings } from '../../core/session-directory.js';
import type { KvStore } from '../../stores/kv-store.js';
import { emptyHistory, turnMessages, type SessionHistory, type Turn } from '../memory-strategies/memory-strategy.js';
import { strategyByName } from '../memory-strategies/strategy-by-name.js';
import { SUMMARY_HEADING, summaryBudget, summaryMessage, toSummaryPrompt } from '../memory-strategies/summary.js';
import type { TokenEstimator } from '../memory-strategies/token-estimator.js';
import { createSessionCipher, SEALED_PREFIX } from '../session-memory/session-cipher.js';
import { conversationKey, conversationRecordSchema, type ConversationRecord } from './conversation-record.js';

// Stored responses over the sessions' KvStore: sealed with the sessions' cipher (ENCRYPTION_KEY), expiring
// after the sessions' idle TTL, and fitted with the configured memory strategy. Each record holds the whole
// conversation up to its response, so deleting one response never breaks the ones that continue it.

export interface ConversationStoreOptions {
  kv: KvStore;
  /** 32 bytes (ENCRYPTION_KEY): records are sealed with AES-256-GCM, as session records are. */
  encryptionKey?: Uint8Array | undefined;
  ttlMs: number;
  settings: MemorySettings;
  estimator: TokenEstimator;
  /** Writes compaction summaries (the pipeline after session memory, like the session summarizer). */
  backend: ChatPort;
}

async function reach<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw new ProxyError('service_unavailable', 'The response store is unavailable; retry shortly.', { cause: error });
  }
}

/** Splits a flat conversation into turns at each user message, the unit strategies keep or drop. */
function toTurns(messages: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    const last = turns.at(-1);
    if (last && message.role !== 'user') last.messages.push(message);
    else turns.push({ id: turns.length + 1, messages: [message] });
  }
  return turns;
}

export function createConversationStore(options: ConversationStoreOptions): ConversationStore {
  const { kv, ttlMs, estimator } = options;
  const cipher = options.encryptionKey ? createSessionCipher(options.encryptionKey) : undefined;
  const histories = new WeakMap<StoredConversation, SessionHistory>();

  const decode = (id: string, stored: string): ConversationRecord | undefined => {
    try {
      const text = cipher ? cipher.open(stored, conversationKey(id)) : stored;
      if (!cipher && text.startsWith(SEALED_PREFIX)) return undefined;
      const parsed = conversationRecordSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      // Sealed with another key, or not ours: as good as missing.
      return undefined;
    }
  };

  const view = (id: string, record: ConversationRecord): StoredConversation => {
    const estimate = (messages: readonly ChatMessage[]) => estimator.count(record.model, messages);
    const conversation: StoredConversation = {
      id,
      model: record.model,
      createdAt: record.createdAt,
      payload: record.payload,
      prepare: (incoming) => strategyByName(record.history.settings.strategy).prepare(record.history, incoming, estimate),
      messages: () => [...record.history.system, ...summaryMessage(record.history.summary), ...turnMessages(record.history.turns)],
    };
    histories.set(conversation, record.history);
    return conversation;
  };

  const owned = async (id: string, owner: string): Promise<ConversationRecord> => {
    const stored = await reach(kv.get(conversationKey(id)));
    const record = stored === undefined ? undefined : decode(id, stored);
    if (!record || record.owner !== owner) throw new NotFoundError(`No response with id '${id}' was found.`);
    return record;
  };

  return {
    async load(id, principal) {
      return view(id, await owned(id, principal.id));
    },
    async save(id, principal, entry) {
      const previous = entry.previous ? histories.get(entry.previous) : undefined;
      const start = previous ?? emptyHistory({ ...options.settings });
      const estimate = (messages: readonly ChatMessage[]) => estimator.count(entry.model, messages);
      const history = strategyByName(start.settings.strategy).commit(start, entry.input, entry.answer, estimate);
      const record: ConversationRecord = { v: 1, owner: principal.id, model: entry.model, createdAt: entry.createdAt, history, payload: entry.payload };
      const text = JSON.stringify(record);
      await reach(kv.set(conversationKey(id), cipher ? cipher.seal(text, conversationKey(id)) : text, ttlMs));
    },
    async delete(id, principal) {
      await owned(id, principal.id);
      await reach(kv.delete(conversationKey(id)));
    },
    async summarize(model, messages, ctx: CallContext) {
      // Instructions (system messages) stay out of the summary: clients send them again. An earlier summary is folded in.
      const previous = messages
        .filter((message) => message.role === 'system' && message.content.startsWith(SUMMARY_HEADING))
        .map((message) => message.content.slice(SUMMARY_HEADING.length).trim())
        .join('\n');
      const turns = toTurns(messages.filter((message) => message.role !== 'system'));
      if (turns.length === 0) return { summary: previous, usage: { promptTokens: 0, completionTokens: 0 } };
      const budget = summaryBudget(emptyHistory({ ...options.settings }));
      const prompt = toSummaryPrompt(previous || undefined, turns, budget);
      const result = await options.backend.complete({ model, messages: prompt, sampling: {}, reasoning: { enabled: false } }, ctx);
      return { summary: result.message.content.trim(), usage: result.usage };
    },
  };
}

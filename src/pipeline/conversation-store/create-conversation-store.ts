import type { CallContext, ChatPort } from '../../core/chat-backend.js';
import type { ChatMessage } from '../../core/chat-request.js';
import type { ConversationStore, StoredConversation } from '../../core/conversation-store.js';
import { NotFoundError, ProxyError } from '../../core/errors.js';
import type { MemorySettings } from '../../core/session-directory.js';
import type { KvStore } from '../../stores/kv-store.js';
import { emptyHistory, splitIncoming, turnMessages, type Turn } from '../memory-strategies/memory-strategy.js';
import { strategyByName } from '../memory-strategies/strategy-by-name.js';
import { SUMMARY_HEADING, summaryBudget, summaryMessage, toSummaryPrompt } from '../memory-strategies/summary.js';
import type { TokenEstimator } from '../memory-strategies/token-estimator.js';
import { createSessionCipher, SEALED_PREFIX } from '../session-memory/session-cipher.js';
import { rebuildConversation, type ChainLink, type ChainReader, type RebuiltConversation } from './conversation-chain.js';
import { conversationKey, conversationRecordSchema, type ConversationRecord, type ConversationRecordV2 } from './conversation-record.js';

// Stored responses over the sessions' KvStore: sealed with the sessions' cipher (ENCRYPTION_KEY), expiring
// after the sessions' idle TTL, and fitted with the configured memory strategy. Each record holds its own turn
// and the id of the response it continues; loading walks the chain back (conversation-chain.ts), so storage is
// linear in the turns. Deleting a response keeps its turn for the ones that continue it.

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
  const rebuilt = new WeakMap<StoredConversation, RebuiltConversation>();

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
  const seal = (id: string, record: ConversationRecord): string => {
    const text = JSON.stringify(record);
    return cipher ? cipher.seal(text, conversationKey(id)) : text;
  };

  const reader: ChainReader = {
    async read(id) {
      const key = conversationKey(id);
      const stored = await reach(kv.get(key));
      const record = stored === undefined ? undefined : decode(id, stored);
      return record === undefined || stored === undefined ? undefined : { key, stored, record };
    },
    estimate: (model, messages) => estimator.count(model, messages),
  };

  const view = (id: string, record: ConversationRecord, chain: RebuiltConversation): StoredConversation => {
    const { history } = chain;
    const estimate = (messages: readonly ChatMessage[]) => estimator.count(record.model, messages);
    const conversation: StoredConversation = {
      id,
      model: record.model,
      createdAt: record.createdAt,
      payload: record.payload,
      prepare: (incoming) => strategyByName(history.settings.strategy).prepare(history, incoming, estimate),
      messages: () => [...history.system, ...summaryMessage(history.summary), ...turnMessages(history.turns)],
    };
    rebuilt.set(conversation, chain);
    return conversation;
  };

  /** The owner's live record at `id` (a deleted one is gone for its owner too), else NotFoundError. */
  const owned = async (id: string, owner: string): Promise<ChainLink> => {
    const link = await reader.read(id);
    if (!link || link.record.owner !== owner || (link.record.v === 2 && link.record.deleted)) {
      throw new NotFoundError(`No response with id '${id}' was found.`);
    }
    return link;
  };

  return {
    async load(id, principal) {
      const head = await owned(id, principal.id);
      return view(id, head.record, await rebuildConversation(head, reader));
    },
    async save(id, principal, entry) {
      const previous = entry.previous ? rebuilt.get(entry.previous) : undefined;
      const start = previous?.history ?? emptyHistory({ ...options.settings });
      const { system: pinned } = splitIncoming(start, entry.input);
      const record: ConversationRecordV2 = {
        v: 2, owner: principal.id, model: entry.model, createdAt: entry.createdAt, settings: start.settings, pinned,
        input: [...entry.input], answer: entry.answer, payload: entry.payload,
        ...(entry.previous && previous ? { previous: entry.previous.id } : {}),
      };
      await reach(kv.set(conversationKey(id), seal(id, record), ttlMs));
      // The turns this one builds on live as long as it does: their TTLs restart with it (the same bytes a v1
      // record rewrote every turn, now written once per record instead of copied into each).
      if (previous) await reach(Promise.all(previous.links.map((link) => kv.set(link.key, link.stored, ttlMs))));
    },
    async delete(id, principal) {
      const { record } = await owned(id, principal.id);
      // Responses that continue this one still need its turn; its response object and input items go now.
      if (record.v === 2) await reach(kv.set(conversationKey(id), seal(id, { ...record, deleted: true, payload: null }), ttlMs));
      else await reach(kv.delete(conversationKey(id)));
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

import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../src/core/chat-request.js';
import { MAX_CHAIN_DEPTH, rebuildConversation, type ChainLink, type ChainReader } from '../../../../src/pipeline/conversation-store/conversation-chain.js';
import type { ConversationRecordV2 } from '../../../../src/pipeline/conversation-store/conversation-record.js';

const settings = { strategy: 'sliding' as const, memorySize: 1_000_000, windowSize: 1_000_000 };

function chain(length: number, turn: (index: number) => Partial<ConversationRecordV2> = () => ({})) {
  const records = new Map<string, ConversationRecordV2>();
  for (let index = 1; index <= length; index++) {
    records.set(`r${index}`, {
      v: 2, owner: 'alice', model: 'm', createdAt: index, settings, pinned: [], payload: null,
      input: [{ role: 'user', content: `q${index}` }], answer: { role: 'assistant', content: `a${index}` },
      ...(index > 1 ? { previous: `r${index - 1}` } : {}),
      ...turn(index),
    });
  }
  const reads: string[] = [];
  const reader: ChainReader = {
    async read(id) {
      reads.push(id);
      const record = records.get(id);
      return record && { key: id, stored: '', record };
    },
    estimate: (_model, messages: readonly ChatMessage[]) => messages.reduce((sum, message) => sum + message.content.length, 0),
  };
  const head = (id: string): ChainLink => ({ key: id, stored: '', record: records.get(id)! });
  return { reader, reads, head };
}

const users = (history: { turns: Array<{ messages: ChatMessage[] }> }) => history.turns.flatMap((turn) => turn.messages).filter((m) => m.role === 'user').map((m) => m.content);

describe('rebuildConversation', () => {
  it('replays the chain oldest first into the history a single record used to hold', async () => {
    const { reader, head } = chain(5);
    const { history, links } = await rebuildConversation(head('r5'), reader);
    expect(users(history)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(links.map((link) => link.key)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
  });

  it(`reads at most ${MAX_CHAIN_DEPTH} records`, async () => {
    const { reader, head, reads } = chain(MAX_CHAIN_DEPTH + 50);
    const { history } = await rebuildConversation(head(`r${MAX_CHAIN_DEPTH + 50}`), reader);
    expect(history.turns).toHaveLength(MAX_CHAIN_DEPTH);
    expect(reads).toHaveLength(MAX_CHAIN_DEPTH - 1);
  });

  it('stops past what the strategy keeps (4 × memorySize), but not inside a tool round', async () => {
    const small = { ...settings, memorySize: 10 };
    const { reader, head, reads } = chain(40, (index) => ({
      settings: small,
      // r30 continues r29's tool round: the walk must reach r29, where that turn starts.
      ...(index === 30 ? { input: [{ role: 'tool', content: 'result', toolCallId: 'c' }] } : {}),
    }));
    await rebuildConversation(head('r40'), reader);
    // Each turn estimates at 6 characters; the cap is 40, so the walk covers 7 turns and stops.
    expect(reads).toEqual(['r39', 'r38', 'r37', 'r36', 'r35', 'r34']);
    const tool = chain(31, (index) => ({ settings: small, ...(index >= 26 ? { input: [{ role: 'tool', content: 'x'.repeat(10), toolCallId: 'c' }] } : {}) }));
    await rebuildConversation(tool.head('r31'), tool.reader);
    expect(tool.reads.at(-1)).toBe('r25');
  });

  it('stops at a record of another owner', async () => {
    const { reader, head } = chain(4, (index) => (index === 2 ? { owner: 'mallory' } : {}));
    expect(users((await rebuildConversation(head('r4'), reader)).history)).toEqual(['q3', 'q4']);
  });
});

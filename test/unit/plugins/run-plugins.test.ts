import { describe, expect, it } from 'vitest';
import type { CallContext, ChatBackend } from '../../../src/core/chat-backend.js';
import { replayEvents, type ChatEvent } from '../../../src/core/chat-event.js';
import type { ChatRequest } from '../../../src/core/chat-request.js';
import type { ChatResult } from '../../../src/core/chat-result.js';
import { PluginFailedError, PluginRejectedError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ANONYMOUS } from '../../../src/core/principal.js';
import { definePlugin, type ProxyPlugin } from '../../../src/plugins/plugin.js';
import { createPluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { pluginsMiddleware } from '../../../src/plugins/run-plugins.js';

// pluginsMiddleware over a scripted backend (the ChatBackend port): what each round receives and what comes out.
const ctx = (): CallContext => ({ signal: new AbortController().signal, requestId: 'r1', principal: ANONYMOUS, logger: silentLogger, outcome: {} });
const request = (content = 'hi', extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content }], sampling: {}, ...extra });
const result = (content: string, calls: { id: string; name: string }[] = []): ChatResult => ({
  model: 'm',
  createdAt: new Date(0),
  message: { role: 'assistant', content, ...(calls.length ? { toolCalls: calls.map((call) => ({ ...call, argumentsJson: '{}' })) } : {}) },
  finishReason: 'stop',
  usage: { promptTokens: 1, completionTokens: 2 },
});

function scriptedBackend(replies: ChatResult[]): ChatBackend & { seen: ChatRequest[] } {
  const seen: ChatRequest[] = [];
  const next = (req: ChatRequest) => {
    seen.push(req);
    const reply = replies.shift();
    if (!reply) throw new Error('no scripted reply left');
    return reply;
  };
  return {
    seen,
    complete: async (req) => next(req),
    stream: (req) => replayEvents(next(req)),
    completeText: () => Promise.reject(new Error('unused')),
    streamText: () => replayEvents(result('')),
    embed: () => Promise.reject(new Error('unused')),
    listModels: async () => [],
  };
}

const echoTool = (name = 'echo'): ProxyPlugin =>
  definePlugin({ name: `${name}-plugin`, tools: [{ name }], runTool: async (call) => ({ content: `ran ${call.id}`, display: { channel: 'content', text: `[${call.id}]` } }) });

function wrap(plugins: ProxyPlugin[], backend: ChatBackend, options: { always?: string[]; maxToolRounds?: number } = {}) {
  const registry = createPluginRegistry({ plugins, always: options.always ?? plugins.map((plugin) => plugin.name) });
  return pluginsMiddleware({ registry, maxToolRounds: options.maxToolRounds ?? 3, perKey: {} })(backend);
}

describe('pluginsMiddleware', () => {
  it('runs beforeRequest in order and afterResult in reverse order', async () => {
    const order: string[] = [];
    const tagger = (name: string) =>
      definePlugin({
        name,
        beforeRequest: (req) => (order.push(`${name}:before`), req),
        afterResult: (res) => (order.push(`${name}:after`), res),
      });
    await wrap([tagger('a'), tagger('b'), tagger('c')], scriptedBackend([result('ok')])).complete(request(), ctx());
    expect(order).toEqual(['a:before', 'b:before', 'c:before', 'c:after', 'b:after', 'a:after']);
  });

  it('turns ctx.reject into PluginRejectedError and a throw into PluginFailedError, both naming the plugin', async () => {
    const rejecting = definePlugin({ name: 'strict', beforeRequest: (_req, pluginCtx) => pluginCtx.reject('no') });
    const crashing = definePlugin({ name: 'buggy', afterResult: () => { throw new Error('boom'); } });
    const forgetful = definePlugin({ name: 'forgetful', beforeRequest: () => undefined as unknown as ChatRequest });
    await expect(wrap([rejecting], scriptedBackend([result('x')])).complete(request(), ctx())).rejects.toThrow(new PluginRejectedError('strict', 'no'));
    const crash = await wrap([crashing], scriptedBackend([result('x')])).complete(request(), ctx()).catch((error: unknown) => error);
    expect(crash).toBeInstanceOf(PluginFailedError);
    expect((crash as Error).message).toBe("Plugin 'buggy' failed while handling the request.");
    expect(((crash as Error).cause as Error).message).toBe('boom');
    await expect(wrap([forgetful], scriptedBackend([result('x')])).complete(request(), ctx())).rejects.toBeInstanceOf(PluginFailedError);
  });

  it('runs owned tool calls, feeds the results back, and folds every round into one result', async () => {
    const backend = scriptedBackend([result('thinking ', [{ id: 'c1', name: 'echo' }]), result('done')]);
    const folded = await wrap([echoTool()], backend).complete(request('go', { toolChoice: 'required' }), ctx());
    expect(backend.seen[0]!.tools).toEqual([{ name: 'echo' }]);
    expect(backend.seen[1]!.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'thinking ', toolCalls: [{ id: 'c1', name: 'echo', argumentsJson: '{}' }] },
      { role: 'tool', content: 'ran c1', toolCallId: 'c1', toolName: 'echo' },
    ]);
    // A forced choice was honoured once; forcing it again would only loop to the limit.
    expect(backend.seen[1]!.toolChoice).toBeUndefined();
    expect(folded.message.content).toBe('thinking [c1]done');
    expect(folded.usage).toEqual({ promptTokens: 2, completionTokens: 4 });
    expect(folded.finishReason).toBe('stop');
  });

  it('streams one start and one finish across rounds', async () => {
    const backend = scriptedBackend([result('a', [{ id: 'c1', name: 'echo' }]), result('b')]);
    const events: ChatEvent[] = [];
    for await (const event of wrap([echoTool()], backend).stream(request(), ctx())) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    expect(events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('')).toBe('a[c1]b');
    expect(events.at(-1)).toMatchObject({ type: 'finish', usage: { promptTokens: 2, completionTokens: 4 } });
  });

  it('keeps the stop sequence that ended the last round in the one finish event', async () => {
    const backend = scriptedBackend([result('a', [{ id: 'c1', name: 'echo' }]), { ...result('b'), stopSequence: '###' }]);
    const events: ChatEvent[] = [];
    for await (const event of wrap([echoTool()], backend).stream(request(), ctx())) events.push(event);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', stopSequence: '###', usage: { promptTokens: 2, completionTokens: 4 } });
    const folded = await wrap([echoTool()], scriptedBackend([{ ...result('b'), stopSequence: '###' }])).complete(request(), ctx());
    expect(folded.stopSequence).toBe('###');
  });

  it('hands client tools to the client and keeps a plugin tool that shares a client tool name server-side', async () => {
    const backend = scriptedBackend([result('', [{ id: 'w1', name: 'weather' }])]);
    const out = await wrap([echoTool()], backend).complete(request('x', { tools: [{ name: 'weather' }, { name: 'echo', description: 'client' }] }), ctx());
    expect(backend.seen[0]!.tools).toEqual([{ name: 'weather' }, { name: 'echo' }]);
    expect(out.message.toolCalls).toEqual([{ id: 'w1', name: 'weather', argumentsJson: '{}' }]);
  });

  it('gives up after maxToolRounds with finish reason length', async () => {
    const call = () => result('', [{ id: 'c', name: 'echo' }]);
    const backend = scriptedBackend([call(), call(), call()]);
    const out = await wrap([echoTool()], backend, { maxToolRounds: 2 }).complete(request(), ctx());
    expect(backend.seen).toHaveLength(3);
    expect(out.finishReason).toBe('length');
    expect(out.message.toolCalls).toBeUndefined();
  });

  it('reports a crashing runTool as PluginFailedError naming the plugin', async () => {
    const broken = definePlugin({ name: 'broken-tool', tools: [{ name: 't' }], runTool: () => Promise.reject(new Error('nope')) });
    const backend = scriptedBackend([result('', [{ id: 'c', name: 't' }])]);
    await expect(wrap([broken], backend).complete(request(), ctx())).rejects.toThrow("Plugin 'broken-tool' failed");
  });

  it('passes requests through untouched when no plugin is active, dropping only the plugins field', async () => {
    const backend = scriptedBackend([result('plain')]);
    const optional = createPluginRegistry({ plugins: [echoTool()] });
    const wrapped = pluginsMiddleware({ registry: optional, maxToolRounds: 3, perKey: {} })(backend);
    await wrapped.complete(request('x', { plugins: [] }), ctx());
    expect(backend.seen[0]).toEqual(request('x'));
  });
});

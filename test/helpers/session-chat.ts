// Small clients for session tests: a chat completion in a session, the context API, and what the
// fake Ollama was sent for /api/chat.
import type { FakeOllama } from './fake-ollama.js';
import type { TestApp } from './test-app.js';

export const SESSION_MODEL = 'deepseek-v3.1:671b';

export interface SentMessage {
  role: string;
  content: string;
}

export interface SentChat {
  model: string;
  messages: SentMessage[];
  think?: unknown;
  stream?: boolean;
}

export interface ChatCall {
  key: string;
  session?: string;
  content: string;
  stream?: boolean;
  system?: string;
  signal?: AbortSignal;
}

export function postChat(app: TestApp, call: ChatCall): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${call.key}`, 'content-type': 'application/json' };
  if (call.session) headers['x-session-id'] = call.session;
  const messages = [...(call.system ? [{ role: 'system', content: call.system }] : []), { role: 'user', content: call.content }];
  const body = { model: SESSION_MODEL, messages, stream: call.stream === true, reasoning_effort: 'none' };
  return fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body), ...(call.signal ? { signal: call.signal } : {}) });
}

/** Sends a chat turn and returns the assistant's text (streamed or not); throws on a non-200. */
export async function sayInSession(app: TestApp, call: ChatCall): Promise<string> {
  const response = await postChat(app, call);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`chat answered ${response.status}: ${text}`);
  if (!call.stream) return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: {'))
    .map((frame) => (JSON.parse(frame.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
    .join('');
}

/** A context API answer: the session view, a delete confirmation or an error body. */
export interface ContextBody {
  object?: string;
  session_id?: string;
  strategy?: string;
  memory_size?: number;
  window_size?: number;
  state?: { turns: number; messages: number; estimated_tokens: number; summary: string | null; summarized_turns: number; summary_model: string | null; model: string | null };
  deleted?: boolean;
  error?: { message: string; type: string; param: string | null; code: string };
}

export async function contextApi(app: TestApp, key: string, method: 'GET' | 'PUT' | 'DELETE', session: string, body?: unknown) {
  const response = await fetch(`${app.url}/api/v1/context/${encodeURIComponent(session)}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as ContextBody };
}

export function sentChats(fake: FakeOllama): SentChat[] {
  return fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as SentChat);
}

export const lastSentChat = (fake: FakeOllama): SentChat => sentChats(fake).at(-1)!;

export const sentText = (chat: SentChat): string[] => chat.messages.map((message) => `${message.role}: ${message.content}`);

import type { Reply } from '../helpers/fake-ollama/reply.js';

// What the fake Ollama answers a Codex turn with: a call to Codex's `exec_command` tool, then a final text.

export const CODEX_MODEL = 'deepseek-v3.1:671b';

const at = (): string => new Date().toISOString();

export function codexToolCallReply(cmd: string): Reply {
  return {
    kind: 'ndjson',
    lines: [
      { model: CODEX_MODEL, created_at: at(), message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_codex01', function: { index: 0, name: 'exec_command', arguments: { cmd } } }] }, done: false },
      { model: CODEX_MODEL, created_at: at(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 5120, eval_count: 24 },
    ],
  };
}

export function codexFinalReply(text: string): Reply {
  return {
    kind: 'ndjson',
    lines: [
      { model: CODEX_MODEL, created_at: at(), message: { role: 'assistant', content: text }, done: false },
      { model: CODEX_MODEL, created_at: at(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 5200, eval_count: 8 },
    ],
  };
}

// Request bodies and targets. (a) and (b) speak Ollama's native /api/chat; (c)–(e) speak OpenAI's
// /v1/chat/completions. Both ask for the same reply length (num_predict ↔ max_tokens) and carry the same prompt.

export const MODEL = 'deepseek-v3.1:671b';
export const REPLY_TOKENS = 16;

/** A user message of exactly `bytes` ASCII bytes. */
export function promptOf(bytes) {
  const sentence = 'Summarise the following notes about the quarterly report in two sentences. ';
  return sentence.repeat(Math.ceil(bytes / sentence.length)).slice(0, bytes);
}

const DEFAULT_PROMPT = 'Say hello in five words.';

function nativeBody({ stream, tokens, prompt = DEFAULT_PROMPT, extra = {} }) {
  return JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }], stream, options: { num_predict: tokens, ...extra } });
}

function openaiBody({ stream, tokens, prompt = DEFAULT_PROMPT, extra = {} }) {
  return JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }], stream, max_tokens: tokens, ...extra });
}

/**
 * A target: where to send, how to read streams, and the two bodies (non-streamed `body`, streamed `streamBody`).
 * kind 'native' = Ollama /api/chat (NDJSON streams), 'openai' = /v1/chat/completions (SSE streams).
 */
export function makeTarget({ kind, url, headers = {}, tokens = REPLY_TOKENS, streamTokens = 500, prompt, extra }) {
  const build = kind === 'native' ? nativeBody : openaiBody;
  return {
    url,
    headers,
    path: kind === 'native' ? '/api/chat' : '/v1/chat/completions',
    protocol: kind === 'native' ? 'ndjson' : 'sse',
    body: build({ stream: false, tokens, prompt, extra }),
    streamBody: build({ stream: true, tokens: streamTokens, prompt, extra }),
  };
}

/** The same target with its streamed body as the one it sends (what the stream client reads). */
export function streamingTarget(target) {
  return { ...target, body: target.streamBody };
}

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

/** The Responses API as Codex calls it (`store: false`: nothing is kept, as for chat). */
function responsesBody({ stream, tokens, prompt = DEFAULT_PROMPT, extra = {} }) {
  return JSON.stringify({ model: MODEL, input: prompt, stream, store: false, max_output_tokens: tokens, ...extra });
}

function anthropicBody({ stream, tokens, prompt = DEFAULT_PROMPT, extra = {} }) {
  return JSON.stringify({ model: MODEL, max_tokens: tokens, messages: [{ role: 'user', content: prompt }], stream, ...extra });
}

const KINDS = {
  native: { path: '/api/chat', protocol: 'ndjson', build: nativeBody },
  openai: { path: '/v1/chat/completions', protocol: 'sse', build: openaiBody },
  responses: { path: '/v1/responses', protocol: 'responses', build: responsesBody },
  anthropic: { path: '/v1/messages', protocol: 'anthropic', build: anthropicBody },
};

/**
 * A target: where to send, how to read streams, and the two bodies (non-streamed `body`, streamed `streamBody`).
 * kind 'native' = Ollama /api/chat (NDJSON streams), 'openai' = /v1/chat/completions (SSE chunks),
 * 'responses' = /v1/responses (typed SSE events), 'anthropic' = /v1/messages (Anthropic's SSE events).
 */
export function makeTarget({ kind, url, headers = {}, tokens = REPLY_TOKENS, streamTokens = 500, prompt, extra }) {
  const { path, protocol, build } = KINDS[kind];
  return {
    url,
    headers,
    path,
    protocol,
    body: build({ stream: false, tokens, prompt, extra }),
    streamBody: build({ stream: true, tokens: streamTokens, prompt, extra }),
  };
}

/** The same target with its streamed body as the one it sends (what the stream client reads). */
export function streamingTarget(target) {
  return { ...target, body: target.streamBody };
}

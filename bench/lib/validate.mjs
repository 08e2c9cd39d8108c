// Checks, before a column is measured, that its answers are what a client would accept: Ollama's shapes for
// (a)/(b), OpenAI's chat.completion and chat.completion.chunk (JSON Schemas from test/fixtures) for (c)–(e).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { streamOnce } from './stream-client.mjs';

const schemas = JSON.parse(readFileSync(new URL('../../test/fixtures/openai-schemas.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(schemas);

function schemaErrors(defName, value) {
  const validate = ajv.getSchema(`${schemas.$id}#/$defs/${defName}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 3).map((error) => `${defName}${error.instancePath} ${error.message}`);
}

function ollamaErrors(body) {
  const ok = typeof body?.message?.content === 'string' && body.message.content !== '' && body.done === true;
  return ok ? [] : ['not an Ollama /api/chat answer with message.content and done:true'];
}

async function firstChunk(target) {
  const response = await fetch(new URL(target.path, target.url), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.streamBody });
  const text = await response.text();
  const frame = text.split('\n\n').find((f) => f.startsWith('data: {'));
  return frame === undefined ? undefined : JSON.parse(frame.slice(6));
}

/** Problems found with one non-streamed and one streamed request; empty when the column answers correctly. */
export async function validateColumn(target, { expectedTokens }) {
  const problems = [];
  const response = await fetch(new URL(target.path, target.url), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body });
  const text = await response.text();
  if (response.status !== 200) return [`non-streamed: HTTP ${response.status} ${text.slice(0, 200)}`];
  const body = JSON.parse(text);
  problems.push(...(target.protocol === 'sse' ? schemaErrors('CreateChatCompletionResponse', body) : ollamaErrors(body)));
  if (target.protocol === 'sse') {
    const chunk = await firstChunk(target);
    problems.push(...(chunk ? schemaErrors('CreateChatCompletionStreamResponse', chunk) : ['stream: no data frame']));
  }
  const stream = await streamOnce({ ...target, body: target.streamBody, agent: undefined });
  if (!stream.ok) problems.push(`stream: ${stream.error}`);
  else if (stream.tokens !== expectedTokens) problems.push(`stream: ${stream.tokens} tokens instead of ${expectedTokens}`);
  return problems;
}

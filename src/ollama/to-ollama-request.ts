import type {
  ChatMessage,
  ChatRequest,
  EmbeddingRequest,
  LogprobsSettings,
  ReasoningSettings,
  ResponseFormat,
  RuntimeSettings,
  SamplingOptions,
  TextRequest,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';
import { usesThinkLevels } from './model-dialect.js';
import type { ModelTraits } from './model-traits.js';
import { toOllamaThink } from './to-ollama-think.js';
import type {
  OllamaChatRequest,
  OllamaEmbedRequest,
  OllamaGenerateRequest,
  OllamaOptions,
  OllamaRequestMessage,
  OllamaThink,
  OllamaThinkLevel,
  OllamaTool,
} from './ollama-wire.js';

/** What the backend knows beyond the request: the model's traits (cached /api/show) and the truncation policy. */
export interface OllamaCallSettings {
  traits?: ModelTraits | undefined;
  /** Sent as `truncate`: false makes Ollama refuse a prompt longer than num_ctx instead of cutting history. */
  truncate?: boolean | undefined;
}

/** Canonical chat request → /api/chat body. `stream` is always explicit: Ollama streams unless told otherwise. */
export function toOllamaChatRequest(request: ChatRequest, stream: boolean, call: OllamaCallSettings = {}): OllamaChatRequest {
  const body: OllamaChatRequest = { model: request.model, messages: toOllamaMessages(request.messages), stream };
  const tools = toOllamaTools(request.tools, request.toolChoice);
  if (tools) body.tools = tools;
  const format = toOllamaFormat(request.responseFormat);
  if (format !== undefined) body.format = format;
  const think = chooseThink(request.reasoning, request.model, call.traits);
  if (think !== undefined) body.think = think;
  if (call.truncate !== undefined) body.truncate = call.truncate;
  addLogprobs(body, request.logprobs);
  addRuntime(body, request.sampling, request.runtime);
  return body;
}

/** Legacy completion (and fill-in-the-middle) → /api/generate body. */
export function toOllamaGenerateRequest(request: TextRequest, stream: boolean, call: OllamaCallSettings = {}): OllamaGenerateRequest {
  const hasSuffix = request.suffix !== undefined && request.suffix !== '';
  // Ollama builds the FIM prompt from its template; with raw it skips the template and drops the suffix silently.
  if (hasSuffix && request.raw) throw new InvalidRequestError('`suffix` cannot be combined with `raw`.', 'suffix');
  const body: OllamaGenerateRequest = { model: request.model, prompt: request.prompt, stream };
  if (hasSuffix) body.suffix = request.suffix!;
  if (request.raw) body.raw = true;
  if (call.truncate !== undefined) body.truncate = call.truncate;
  addLogprobs(body, request.logprobs);
  addRuntime(body, request.sampling, request.runtime);
  return body;
}

function addLogprobs(body: { logprobs?: boolean; top_logprobs?: number }, logprobs: LogprobsSettings | undefined): void {
  if (!logprobs) return;
  body.logprobs = true;
  if (logprobs.topLogprobs > 0) body.top_logprobs = logprobs.topLogprobs;
}

/** Embeddings → /api/embed body (batch input; `dimensions` needs Ollama 0.11.11+, older ones ignore it). */
export function toOllamaEmbedRequest(request: EmbeddingRequest): OllamaEmbedRequest {
  const body: OllamaEmbedRequest = { model: request.model, input: request.inputs };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.runtime?.options && Object.keys(request.runtime.options).length > 0) {
    body.options = { ...request.runtime.options };
  }
  if (request.runtime?.keepAlive !== undefined) body.keep_alive = request.runtime.keepAlive;
  return body;
}

function addRuntime(
  body: { options?: OllamaOptions; keep_alive?: string | number },
  sampling: SamplingOptions,
  runtime: RuntimeSettings | undefined,
): void {
  const options = toOllamaOptions(sampling, runtime?.options);
  if (options) body.options = options;
  if (runtime?.keepAlive !== undefined) body.keep_alive = runtime.keepAlive;
}

/**
 * Runtime options (num_ctx and other Ollama extras) first, then the request's own sampling fields on top:
 * what the client asked for wins. Omitted fields stay omitted so the Modelfile defaults apply
 * (deepseek-r1 ships temperature 0.6 / top_p 0.95; Ollama's /v1 clobbers them with 1.0).
 */
function toOllamaOptions(sampling: SamplingOptions, runtimeOptions?: Record<string, unknown>): OllamaOptions | undefined {
  const options: OllamaOptions = { ...runtimeOptions };
  if (sampling.temperature !== undefined) options.temperature = sampling.temperature;
  if (sampling.topP !== undefined) options.top_p = sampling.topP;
  if (sampling.seed !== undefined) options.seed = sampling.seed;
  if (sampling.frequencyPenalty !== undefined) options.frequency_penalty = sampling.frequencyPenalty;
  if (sampling.presencePenalty !== undefined) options.presence_penalty = sampling.presencePenalty;
  if (sampling.topK !== undefined) options.top_k = sampling.topK;
  if (sampling.maxTokens !== undefined) options.num_predict = clampToContext(sampling.maxTokens, options.num_ctx);
  if (sampling.stop !== undefined && sampling.stop.length > 0) options.stop = [...sampling.stop];
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * A generation cannot outgrow the model's context window (beyond it Ollama shifts the context, up to 10× num_ctx),
 * so a larger max_tokens (Claude Code asks 128000) is clamped to num_ctx when the request or the model's
 * configured defaults set it. Without num_ctx the request goes as asked and Ollama applies its own bound.
 */
function clampToContext(maxTokens: number, numCtx: unknown): number {
  return typeof numCtx === 'number' && numCtx > 0 && maxTokens > numCtx ? numCtx : maxTokens;
}

function toOllamaMessages(messages: ChatMessage[]): OllamaRequestMessage[] {
  // Older Ollama reads only tool_name on tool results; resolve it from the assistant call when missing.
  const toolNames = new Map<string, string>();
  const currentTurn = startOfCurrentTurn(messages);
  return messages.map((message, index) => {
    const out: OllamaRequestMessage = { role: message.role, content: message.content };
    if (message.images && message.images.length > 0) out.images = [...message.images];
    if (message.reasoning && index > currentTurn && message.toolCalls && message.toolCalls.length > 0) {
      out.thinking = message.reasoning;
    }
    if (message.toolCalls && message.toolCalls.length > 0) {
      out.tool_calls = message.toolCalls.map((call, callIndex) => {
        toolNames.set(call.id, call.name);
        return toOllamaToolCall(call, `messages[${index}].tool_calls[${callIndex}].function.arguments`);
      });
    }
    if (message.role === 'tool') {
      const name = message.toolName ?? (message.toolCallId === undefined ? undefined : toolNames.get(message.toolCallId));
      if (name !== undefined) out.tool_name = name;
      if (message.toolCallId !== undefined) out.tool_call_id = message.toolCallId;
    }
    return out;
  });
}

/**
 * DeepSeek's rule for thinking with tools: within the current turn (after the last user message) the reasoning
 * of an assistant message that called tools goes back to the model so it can continue its chain of thought;
 * reasoning of earlier turns and of final answers is dropped, as DeepSeek's API and Ollama's deepseek3 renderer do.
 */
function startOfCurrentTurn(messages: ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]!.role === 'user') return index;
  }
  return -1;
}

/** OpenAI sends tool arguments as a JSON string; Ollama wants an object. */
function toOllamaToolCall(call: ToolCall, param: string): NonNullable<OllamaRequestMessage['tool_calls']>[number] {
  return { id: call.id, function: { name: call.name, arguments: parseArguments(call.argumentsJson, param) } };
}

function parseArguments(json: string, param: string): Record<string, unknown> {
  // Some clients send "" for a call without arguments; that means {}, not an error.
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidRequestError('Tool call arguments must be a JSON object encoded as a string.', param);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('Tool call arguments must be a JSON object.', param);
  }
  return value as Record<string, unknown>;
}

/**
 * Ollama has no tool_choice (its /v1 layer ignores it). 'none' → no tools sent, so the model cannot call any.
 * A named choice → only that tool is sent, which is as close as we get to forcing it. 'required' cannot be
 * enforced: the tools are sent and the model may still answer in text.
 */
function toOllamaTools(tools: ToolDefinition[] | undefined, choice: ToolChoice | undefined): OllamaTool[] | undefined {
  if (!tools || tools.length === 0 || choice === 'none') return undefined;
  let selected = tools;
  if (typeof choice === 'object') {
    selected = tools.filter((tool) => tool.name === choice.name);
    if (selected.length === 0) {
      throw new InvalidRequestError(`tool_choice names '${choice.name}', which is not in tools.`, 'tool_choice');
    }
  }
  return selected.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      // A function without parameters takes none; Ollama's templates render the schema, so spell that out.
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

function toOllamaFormat(format: ResponseFormat | undefined): OllamaChatRequest['format'] {
  if (format?.type === 'json') return 'json';
  if (format?.type === 'json_schema') return format.schema;
  return undefined;
}

const NAME_LEVELS: readonly OllamaThinkLevel[] = ['low', 'medium', 'high'];

/** The model's own traits decide; without them (show failed) only names known to read levels get one. */
function chooseThink(reasoning: ReasoningSettings | undefined, model: string, traits: ModelTraits | undefined): OllamaThink | undefined {
  return toOllamaThink(reasoning, traits?.think, usesThinkLevels(model) ? NAME_LEVELS : []);
}

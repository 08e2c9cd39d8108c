import type { CreateModelSpec, LoadModelSpec } from '../core/model-runtime.js';
import type { OllamaCreateRequest, OllamaLoadRequest } from './ollama-admin-wire.js';

/** An empty prompt makes /api/generate load the model with these runner options and answer at once. */
export function toOllamaLoadRequest(spec: LoadModelSpec): OllamaLoadRequest {
  const body: OllamaLoadRequest = { model: spec.model, prompt: '', stream: false };
  if (spec.keepAlive !== undefined) body.keep_alive = spec.keepAlive;
  if (Object.keys(spec.options).length > 0) body.options = { ...spec.options };
  return body;
}

/** keep_alive 0 with an empty prompt: Ollama frees the model's memory now. */
export function toOllamaUnloadRequest(model: string): OllamaLoadRequest {
  return { model, prompt: '', stream: false, keep_alive: 0 };
}

export function toOllamaCreateRequest(spec: CreateModelSpec): OllamaCreateRequest {
  const body: OllamaCreateRequest = { model: spec.model, from: spec.from, stream: true };
  if (spec.system !== undefined) body.system = spec.system;
  if (spec.messages && spec.messages.length > 0) body.messages = spec.messages.map(({ role, content }) => ({ role, content }));
  if (spec.parameters && Object.keys(spec.parameters).length > 0) body.parameters = { ...spec.parameters };
  if (spec.adapters && Object.keys(spec.adapters).length > 0) body.adapters = { ...spec.adapters };
  return body;
}

import { createHash } from 'node:crypto';
import type { ModelRuntime, ModelProgress } from '../core/model-runtime.js';
import { UpstreamError } from '../core/errors.js';
import { decodeNdjson, type NdjsonOptions } from '../shared/ndjson.js';
import { fromOllamaTags } from './from-ollama-tags.js';
import { fromOllamaProgressLine, fromOllamaPs, fromOllamaShowDescription } from './from-ollama-model-admin.js';
import { mapOllamaFailure } from './map-ollama-error.js';
import { ollamaProgressLineSchema, ollamaPsSchema } from './ollama-admin-wire.js';
import { ollamaShowSchema, ollamaTagsSchema } from './ollama-wire.js';
import { readJson, type OllamaFetchResponse, type OllamaTransport } from './ollama-transport.js';
import { toOllamaCreateRequest, toOllamaLoadRequest, toOllamaUnloadRequest } from './to-ollama-model-admin.js';

// The model-management half of the Ollama backend (tags, show, ps, pull, load/unload, create, blobs).
// Like ollama-backend.ts, it does I/O only through the transport; translation lives in the *-model-admin files.

export function createOllamaModelRuntime(transport: OllamaTransport, streamOptions: NdjsonOptions = {}): ModelRuntime {
  const get = (path: string, signal: AbortSignal) => transport.send({ method: 'GET', path, signal });
  const post = (path: string, body: unknown, signal: AbortSignal, model: string) =>
    transport.send({ method: 'POST', path, body, signal, model });

  /** Progress lines until `success`; a stream that stops before it is a failure, not a success. */
  async function* progress(response: OllamaFetchResponse, model: string): AsyncGenerator<ModelProgress> {
    if (!response.body) throw new UpstreamError('Ollama answered without a body.');
    let succeeded = false;
    try {
      for await (const value of decodeNdjson(response.body, streamOptions)) {
        const parsed = ollamaProgressLineSchema.safeParse(value);
        if (!parsed.success) throw new UpstreamError(`Ollama sent an unexpected progress line: ${parsed.error.message}`);
        const step = fromOllamaProgressLine(parsed.data, model);
        if (step.status === 'success') succeeded = true;
        yield step;
      }
    } catch (error) {
      throw mapOllamaFailure(error);
    }
    if (!succeeded) throw new UpstreamError('Ollama ended the progress stream before reporting success.');
  }

  return {
    async listInstalled(signal) {
      return fromOllamaTags(await readJson(await get('/api/tags', signal), ollamaTagsSchema, 'model list'));
    },
    async describeModel(name, signal) {
      const response = await post('/api/show', { model: name }, signal, name);
      return fromOllamaShowDescription(name, await readJson(response, ollamaShowSchema, 'model description'));
    },
    async listLoaded(signal) {
      return fromOllamaPs(await readJson(await get('/api/ps', signal), ollamaPsSchema, 'running models'));
    },
    async *pullModel(name, signal) {
      yield* progress(await post('/api/pull', { model: name, stream: true }, signal, name), name);
    },
    async loadModel(spec, signal) {
      await (await post('/api/generate', toOllamaLoadRequest(spec), signal, spec.model)).text();
    },
    async unloadModel(name, signal) {
      await (await post('/api/generate', toOllamaUnloadRequest(name), signal, name)).text();
    },
    async *createModel(spec, signal) {
      // A missing base model is reported by create itself ("file does not exist"): name it, not the new model.
      yield* progress(await post('/api/create', toOllamaCreateRequest(spec), signal, spec.from), spec.from);
    },
    async uploadBlob(bytes, signal) {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      await (await transport.send({ method: 'POST', path: `/api/blobs/${digest}`, rawBody: bytes, signal })).text();
      return digest;
    },
  };
}

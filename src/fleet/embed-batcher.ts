import type { CallContext } from '../core/chat-backend.js';
import type { EmbeddingRequest } from '../core/chat-request.js';
import type { EmbeddingResult } from '../core/chat-result.js';

// Embeddings micro-batching: concurrent embedding requests for one model (and the same dimensions) are
// coalesced into one upstream call of up to `maxInputs` inputs, sent when full or `windowMs` after the first
// one arrived, and the vectors are split back. Ollama reports one prompt_eval_count for the whole call: each
// request's share is in proportion to its inputs' length (the last one takes the rounding remainder).
// A request with its own runtime options, or already as large as a batch, goes alone.

export type Embed = (request: EmbeddingRequest, ctx: CallContext) => Promise<EmbeddingResult>;

export interface EmbedBatcherOptions {
  maxInputs: number;
  windowMs: number;
  /**
   * Called once an upstream batch answered, with its model and its number of requests and inputs (the batch-size
   * metric). Only answered batches: a model name nobody serves never becomes a metric label.
   */
  onBatch?: (model: string, requests: number, inputs: number) => void;
}

interface Part {
  request: EmbeddingRequest;
  ctx: CallContext;
  resolve(result: EmbeddingResult): void;
  reject(error: unknown): void;
}

interface Batch {
  key: string;
  parts: Part[];
  inputs: number;
  timer: NodeJS.Timeout | undefined;
}

export function createEmbedBatcher(embed: Embed, options: EmbedBatcherOptions): Embed {
  const open = new Map<string, Batch>();

  const flush = (batch: Batch): void => {
    if (open.get(batch.key) === batch) open.delete(batch.key);
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const parts = batch.parts.filter((part) => {
      if (!part.ctx.signal.aborted) return true;
      part.reject(part.ctx.signal.reason);
      return false;
    });
    if (parts.length === 0) return;
    const inputs = parts.reduce((sum, part) => sum + part.request.inputs.length, 0);
    const report = (model: string) => options.onBatch?.(model, parts.length, inputs);
    if (parts.length === 1) {
      const [only] = parts as [Part];
      return void embed(only.request, only.ctx).then((result) => {
        report(only.request.model);
        only.resolve(result);
      }, only.reject);
    }
    // The upstream call is cancelled only when every client in it has gone.
    const controller = new AbortController();
    let left = parts.length;
    for (const part of parts) {
      part.ctx.signal.addEventListener(
        'abort',
        () => {
          part.reject(part.ctx.signal.reason);
          if (--left === 0) controller.abort(part.ctx.signal.reason);
        },
        { once: true },
      );
    }
    const first = parts[0]!;
    const request: EmbeddingRequest = { model: first.request.model, inputs: parts.flatMap((part) => part.request.inputs) };
    if (first.request.dimensions !== undefined) request.dimensions = first.request.dimensions;
    embed(request, { ...first.ctx, signal: controller.signal }).then(
      (result) => {
        report(request.model);
        const lengths = parts.map((part) => part.request.inputs.reduce((sum, input) => sum + input.length, 0));
        const totalLength = lengths.reduce((sum, length) => sum + length, 0) || 1;
        let offset = 0;
        let given = 0;
        parts.forEach((part, index) => {
          const count = part.request.inputs.length;
          const tokens = index === parts.length - 1 ? result.promptTokens - given : Math.round((result.promptTokens * lengths[index]!) / totalLength);
          given += tokens;
          part.resolve({ model: result.model, embeddings: result.embeddings.slice(offset, offset + count), promptTokens: tokens });
          offset += count;
        });
      },
      (error: unknown) => {
        for (const part of parts) part.reject(error);
      },
    );
  };

  return (request, ctx) => {
    if (request.runtime !== undefined || request.inputs.length >= options.maxInputs) return embed(request, ctx);
    const key = request.dimensions === undefined ? request.model : `${request.model}\u0000${request.dimensions}`;
    let batch = open.get(key);
    if (batch !== undefined && batch.inputs + request.inputs.length > options.maxInputs) {
      flush(batch);
      batch = undefined;
    }
    if (batch === undefined) {
      const created: Batch = { key, parts: [], inputs: 0, timer: undefined };
      created.timer = setTimeout(() => flush(created), options.windowMs);
      open.set(key, created);
      batch = created;
    }
    const target = batch;
    return new Promise<EmbeddingResult>((resolve, reject) => {
      target.parts.push({ request, ctx, resolve, reject });
      target.inputs += request.inputs.length;
      if (target.inputs >= options.maxInputs) flush(target);
    });
  };
}

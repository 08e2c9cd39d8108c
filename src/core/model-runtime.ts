import type { ModelInfo } from './chat-result.js';

// The model-management port: what operations (model loading, fine-tune jobs) need from a local model runtime.
// ollama/ollama-backend.ts implements it; model-admin/ and finetune/ depend only on this file.

/** One progress step of a pull or create (`total`/`completed` in bytes when a blob is being transferred). */
export interface ModelProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** What the runtime tells about one installed model beyond the list entry. */
export interface ModelDescription extends ModelInfo {
  architecture?: string;
  /** Repeating transformer blocks (`<arch>.block_count`): the unit of GPU offload. */
  blockCount?: number;
  /** Attention shape (`<arch>.embedding_length`, `.attention.head_count[_kv]`, `.attention.key_length`/`value_length`): sizes the KV cache. */
  embeddingLength?: number;
  headCount?: number;
  headCountKv?: number;
  keyLength?: number;
  valueLength?: number;
  /** `PARAMETER num_ctx` of the Modelfile, when set. */
  numCtx?: number;
}

/** A model currently in memory. */
export interface LoadedModel {
  name: string;
  sizeBytes: number;
  /** Part of sizeBytes held in GPU memory. */
  vramBytes: number;
  contextLength?: number;
  expiresAt?: Date;
}

export interface LoadModelSpec {
  model: string;
  /** Runner options applied at load time, e.g. { main_gpu: 0, num_gpu: 20 }. */
  options: Record<string, unknown>;
  /** Go duration ("30m", "-1" = forever) or seconds. */
  keepAlive?: string | number;
}

export interface CreateModelSpec {
  model: string;
  from: string;
  system?: string;
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  parameters?: Record<string, unknown>;
  /** File name → blob digest (`sha256:<hex>`) of uploaded adapter files. */
  adapters?: Record<string, string>;
}

export interface ModelRuntime {
  /** Installed models (sizes and capabilities included). */
  listInstalled(signal: AbortSignal): Promise<ModelInfo[]>;
  /** Throws ModelNotFoundError when the model is not installed. */
  describeModel(name: string, signal: AbortSignal): Promise<ModelDescription>;
  listLoaded(signal: AbortSignal): Promise<LoadedModel[]>;
  /** Downloads the model; throws ModelNotFoundError when the registry does not have it. */
  pullModel(name: string, signal: AbortSignal): AsyncIterable<ModelProgress>;
  loadModel(spec: LoadModelSpec, signal: AbortSignal): Promise<void>;
  unloadModel(name: string, signal: AbortSignal): Promise<void>;
  createModel(spec: CreateModelSpec, signal: AbortSignal): AsyncIterable<ModelProgress>;
  /** Stores a file the runtime can refer to by digest; returns `sha256:<hex>`. */
  uploadBlob(bytes: Uint8Array, signal: AbortSignal): Promise<string>;
}

// What the fake knows about an installed model: enough to answer /api/tags, /api/show and /api/ps
// the way Ollama does, and to decide which capability errors a request earns.
import { createHash } from 'node:crypto';

export type ModelCapability = 'completion' | 'tools' | 'insert' | 'vision' | 'embedding' | 'thinking';

export interface FakeModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

export interface FakeModelMessage {
  role: string;
  content: string;
}

export interface FakeModel {
  name: string;
  size: number;
  /** 64 hex chars, no `sha256:` prefix (as /api/tags prints it). */
  digest: string;
  modifiedAt: string;
  details: FakeModelDetails;
  capabilities: ModelCapability[];
  architecture: string;
  /** Trained context length (`<arch>.context_length` in model_info). */
  contextLength: number;
  blockCount: number;
  embeddingLength: number;
  /** `<arch>.attention.head_count` and `.head_count_kv` (grouped-query attention: fewer KV heads). */
  headCount?: number;
  headCountKv?: number;
  /** /api/show `renderer`/`parser` (built-in prompt renderers of newer models, e.g. "qwen3.5", "deepseek3.1"). */
  renderer?: string;
  parser?: string;
  parameterCount: number;
  template: string;
  /** Modelfile PARAMETERs, e.g. { temperature: 0.6, stop: [...] }. */
  parameters: Record<string, unknown>;
  system?: string;
  messages?: FakeModelMessage[];
  /** Adapter file name → blob digest (`sha256:...`), as sent to /api/create. */
  adapters?: Record<string, string>;
  license?: string;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

const MODIFIED_AT = '2025-06-02T10:14:03.512431677Z';

/** A complete FakeModel from a name; anything not given looks like an 8B llama in Q4_K_M. */
export function fakeModel(name: string, overrides: Partial<FakeModel> = {}): FakeModel {
  return {
    name,
    size: 4_920_753_328,
    digest: sha256Hex(name),
    modifiedAt: MODIFIED_AT,
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '8.0B',
      quantization_level: 'Q4_K_M',
    },
    capabilities: ['completion'],
    architecture: 'llama',
    contextLength: 131_072,
    blockCount: 32,
    embeddingLength: 4096,
    parameterCount: 8_030_261_248,
    template: '{{ if .System }}{{ .System }}{{ end }}{{ .Prompt }}',
    parameters: {},
    ...overrides,
  };
}

function details(family: string, parameterSize: string, quantization: string): FakeModelDetails {
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: parameterSize,
    quantization_level: quantization,
  };
}

const R1_PARAMETERS = {
  stop: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'],
  temperature: 0.6,
  top_p: 0.95,
};
const R1_TEMPLATE =
  '{{- if .System }}{{ .System }}{{ end }}{{- range $i, $_ := .Messages }}' +
  '{{- if eq .Role "user" }}<｜User｜>{{ .Content }}{{- else if eq .Role "assistant" }}<｜Assistant｜>' +
  '{{- if and $.IsThinkSet (and $last .Thinking) -}}<think>{{ .Thinking }}</think>{{- end }}{{ .Content }}' +
  '{{- end }}{{- end }}';
const MIT = 'MIT License\n\nCopyright (c) 2023 DeepSeek';

/** The models a fresh fake has installed (a new array of new objects on every call). */
export function defaultModels(): FakeModel[] {
  return [
    fakeModel('deepseek-r1:7b', {
      size: 4_683_075_271,
      details: details('qwen2', '7.6B', 'Q4_K_M'),
      capabilities: ['completion', 'thinking'],
      architecture: 'qwen2',
      contextLength: 131_072,
      blockCount: 28,
      embeddingLength: 3584,
      headCount: 28,
      headCountKv: 4,
      parameterCount: 7_615_616_512,
      template: R1_TEMPLATE,
      parameters: R1_PARAMETERS,
      license: MIT,
    }),
    fakeModel('deepseek-r1:32b', {
      size: 19_851_337_640,
      details: details('qwen2', '32.8B', 'Q4_K_M'),
      capabilities: ['completion', 'thinking'],
      architecture: 'qwen2',
      contextLength: 131_072,
      blockCount: 64,
      embeddingLength: 5120,
      headCount: 40,
      headCountKv: 8,
      parameterCount: 32_763_876_352,
      template: R1_TEMPLATE,
      parameters: R1_PARAMETERS,
      license: MIT,
    }),
    fakeModel('deepseek-v3.1:671b', {
      size: 404_430_188_519,
      details: details('deepseek2', '671.0B', 'Q4_K_M'),
      capabilities: ['completion', 'tools', 'thinking'],
      architecture: 'deepseek2',
      contextLength: 163_840,
      blockCount: 61,
      embeddingLength: 7168,
      headCount: 128,
      headCountKv: 128,
      renderer: 'deepseek3.1',
      parser: 'deepseek3.1',
      parameterCount: 671_026_419_200,
      template: '{{ .Prompt }}',
      parameters: { temperature: 0.6, top_p: 0.95 },
      license: MIT,
    }),
    fakeModel('deepseek-coder-v2:16b', {
      size: 8_905_125_527,
      details: details('deepseek2', '15.7B', 'Q4_0'),
      capabilities: ['completion', 'insert'],
      architecture: 'deepseek2',
      contextLength: 163_840,
      blockCount: 27,
      embeddingLength: 2048,
      headCount: 16,
      headCountKv: 16,
      parameterCount: 15_706_484_224,
      template: '{{ if .Suffix }}<｜fim▁begin｜>{{ .Prompt }}<｜fim▁hole｜>{{ .Suffix }}<｜fim▁end｜>{{ else }}{{ .Prompt }}{{ end }}',
      parameters: { stop: ['User:', 'Assistant:'] },
      license: 'DEEPSEEK LICENSE AGREEMENT',
    }),
    fakeModel('nomic-embed-text:latest', {
      size: 274_302_450,
      details: details('nomic-bert', '137M', 'F16'),
      capabilities: ['embedding'],
      architecture: 'nomic-bert',
      contextLength: 2048,
      blockCount: 12,
      embeddingLength: 768,
      headCount: 12,
      headCountKv: 12,
      parameterCount: 136_727_040,
      template: '{{ .Prompt }}',
      parameters: { num_ctx: 8192 },
      license: 'Apache License Version 2.0',
    }),
    fakeModel('qwen3:8b', {
      size: 5_225_376_047,
      details: details('qwen3', '8.2B', 'Q4_K_M'),
      capabilities: ['completion', 'tools', 'thinking'],
      architecture: 'qwen3',
      contextLength: 40_960,
      blockCount: 36,
      embeddingLength: 4096,
      headCount: 32,
      headCountKv: 8,
      parameterCount: 8_190_735_360,
      template: '{{- if .Tools }}<tools>{{ range .Tools }}{{ . }}{{ end }}</tools>{{ end }}{{ .Prompt }}',
      parameters: { temperature: 0.6, top_k: 20, top_p: 0.95, repeat_penalty: 1 },
      license: 'Apache License Version 2.0',
    }),
  ];
}

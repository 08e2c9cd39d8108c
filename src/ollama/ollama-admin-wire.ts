import { z } from 'zod';

// Ollama's model-management wire format (docs/api.md: /api/ps, /api/pull, /api/create, blobs). Loose objects,
// as in ollama-wire.ts: Ollama keeps adding fields.

export const ollamaPsSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string(),
        model: z.string().optional(),
        size: z.number().optional(),
        size_vram: z.number().optional(),
        expires_at: z.string().optional(),
        context_length: z.number().optional(),
      }),
    )
    .nullish(),
});

/** One line of /api/pull or /api/create progress; a failure comes as `{"error"}` under HTTP 200. */
export const ollamaProgressLineSchema = z.looseObject({
  status: z.string().optional(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
  error: z.string().optional(),
});

export type OllamaPs = z.infer<typeof ollamaPsSchema>;
export type OllamaProgressLine = z.infer<typeof ollamaProgressLineSchema>;

/** POST /api/generate with an empty prompt: loads (or, with keep_alive 0, unloads) a model. */
export interface OllamaLoadRequest {
  model: string;
  prompt: '';
  stream: false;
  keep_alive?: string | number;
  options?: Record<string, unknown>;
}

export interface OllamaCreateRequest {
  model: string;
  from: string;
  stream: true;
  system?: string;
  messages?: { role: string; content: string }[];
  parameters?: Record<string, unknown>;
  adapters?: Record<string, string>;
}

import type { Response } from 'express';
import { UpstreamUnavailableError } from '../../core/errors.js';
import { filterModelListing } from './native-model-access.js';

// Native GET /api/tags and /api/ps with several Ollama hosts: every host is asked, and the answer lists each
// model once (the first host's entry wins), in Ollama's own shape. A host that does not answer is left out;
// when none answers, the client gets the usual 502. A key with a model allow-list sees only its models.

export async function sendListingUnion(
  urls: readonly string[],
  path: '/api/tags' | '/api/ps',
  res: Response,
  patterns: readonly string[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  const answers = await Promise.allSettled(
    urls.map(async (url) => {
      const response = await fetch(url + path, { signal, headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as { models?: unknown };
    }),
  );
  const seen = new Map<string, unknown>();
  const failures: string[] = [];
  let answered = 0;
  answers.forEach((answer, index) => {
    if (answer.status === 'rejected') return void failures.push(`${urls[index]}: ${String((answer.reason as Error)?.message ?? answer.reason)}`);
    const models = answer.value.models;
    if (!Array.isArray(models)) return void failures.push(`${urls[index]}: no models list`);
    answered++;
    for (const entry of models) {
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && !seen.has(name)) seen.set(name, entry);
    }
  });
  if (answered === 0) throw new UpstreamUnavailableError(`No Ollama host answered ${path} (${failures.join('; ')}).`);
  const body = { models: [...seen.values()] };
  res.status(200).json(patterns === undefined ? body : filterModelListing(body, patterns));
}

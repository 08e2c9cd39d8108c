import { fromOllamaTags } from './from-ollama-tags.js';
import { failureReason } from './describe-unreachable.js';
import { readJson, type OllamaTransport } from './ollama-transport.js';
import { ollamaTagsSchema, ollamaVersionSchema } from './ollama-wire.js';

/** What one Ollama host says about itself: reachable, its version, its installed models. */
export interface OllamaHostReport {
  url: string;
  reachable: boolean;
  version?: string;
  models?: string[];
  /** Why it could not be asked (ECONNREFUSED, HTTP 403 …). */
  error?: string;
}

/** GET /api/version and /api/tags on one host (no failover: the point is to learn about this host). */
export async function inspectHost(transport: OllamaTransport, url: string, signal: AbortSignal): Promise<OllamaHostReport> {
  try {
    const versionResponse = await transport.sendTo(url, { method: 'GET', path: '/api/version', signal });
    const { version } = await readJson(versionResponse, ollamaVersionSchema, 'version');
    try {
      const tagsResponse = await transport.sendTo(url, { method: 'GET', path: '/api/tags', signal });
      const models = fromOllamaTags(await readJson(tagsResponse, ollamaTagsSchema, 'model list')).map((model) => model.id);
      return { url, reachable: true, version, models };
    } catch (error) {
      return { url, reachable: true, version, error: `listing models failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  } catch (error) {
    return { url, reachable: false, error: failureReason(error) };
  }
}

import { assertModelAllowed, isModelAllowed } from '../../access/model-access.js';
import { InvalidRequestError, PermissionDeniedError } from '../../core/errors.js';

// Model allow-lists on Ollama's native API (pure). The passthrough forwards bodies untouched, so for a key with
// an allow-list it reads the JSON body once, checks every model it names, and forwards those same bytes.
//
// Ollama decodes bodies with Go's encoding/json, which matches object keys to fields case-insensitively and
// keeps the last duplicate. Its folding is Unicode simple case folding (bytes.EqualFold), which goes beyond
// ASCII: `ſ` is an `s`, the Kelvin sign a `k`. A key counts as a model field if its lower case or the lower case
// of its upper case is one (a superset of Go's rule: checking too many keys only refuses more). JSON.parse keeps
// the last duplicate too, so checking every such key checks whatever Ollama will use. The passthrough applies no aliases: the name checked is the
// name Ollama receives.

/** How a native route relates to models, for a key with an allow-list. */
export type NativeRouteKind = 'names-models' | 'lists-models' | 'model-free' | 'unknown';

/** Body fields that name a model, across Ollama's routes (`name` is the older spelling of `model`). */
const MODEL_FIELDS = new Set(['model', 'name', 'from', 'source', 'destination']);
const NAMING_ROUTES = new Set(['chat', 'generate', 'embed', 'embeddings', 'show', 'pull', 'push', 'create', 'copy', 'delete']);
const LISTING_ROUTES = new Set(['tags', 'ps']);
const MODEL_FREE_ROUTES = new Set(['', 'version', 'blobs']);

/** The route's kind from its canonical path (`/api/<route>/…`), case-blind as the scope decision is. */
export function nativeRouteKind(path: string): NativeRouteKind {
  const route = (path.split('?', 1)[0]!.split('/')[2] ?? '').toLowerCase();
  if (NAMING_ROUTES.has(route)) return 'names-models';
  if (LISTING_ROUTES.has(route)) return 'lists-models';
  return MODEL_FREE_ROUTES.has(route) ? 'model-free' : 'unknown';
}

/** Whether Go's encoding/json could decode the key into one of the model fields. */
function isModelField(key: string): boolean {
  return MODEL_FIELDS.has(key.toLowerCase()) || MODEL_FIELDS.has(key.toUpperCase().toLowerCase());
}

/** Every model a native request body names (top-level fields Ollama reads as a model name). */
export function namedModels(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object.');
  }
  const models: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!isModelField(key) || value === null || value === '') continue;
    if (typeof value !== 'string') throw new InvalidRequestError(`'${key}' must be a string.`, key);
    models.push(value);
  }
  return models;
}

/** Parses the bytes as Ollama would read them and checks each named model; returns the first one (for logs). */
export function checkNativeBody(bytes: Buffer, patterns: readonly string[]): string | undefined {
  if (bytes.length === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InvalidRequestError('The request body is not valid JSON.', null, error);
  }
  const models = namedModels(body);
  for (const model of models) assertModelAllowed(model, patterns);
  return models[0];
}

/** /api/tags and /api/ps answers keep only the models the key may use. */
export function filterModelListing(body: unknown, patterns: readonly string[]): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { models?: unknown }).models)) return body;
  const models = (body as { models: unknown[] }).models.filter((entry) => {
    const { model, name } = (entry ?? {}) as { model?: unknown; name?: unknown };
    const id = typeof model === 'string' ? model : name;
    return typeof id === 'string' && isModelAllowed(id, patterns);
  });
  return { ...body, models };
}

export function refuseUnknownRoute(route: string): never {
  throw new PermissionDeniedError(`Keys restricted to certain models may not use ${route}: the proxy cannot tell which model it acts on.`);
}

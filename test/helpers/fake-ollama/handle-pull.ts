// POST /api/pull and POST /api/push: streamed progress lines ({status, digest?, total?, completed?}),
// or only the last status with stream:false. Names containing "doesnotexist" are not in the registry.
import { decodeObject, sendError, sendJson, sendNdjson, type Exchange } from './exchange.js';
import { defaultModels, fakeModel, sha256Hex, type FakeModel } from './fake-model.js';
import type { HandlerContext } from './handler-context.js';
import { isValidModelName, modelKey } from './model-name.js';
import { ollamaTimestamp } from './ollama-timestamp.js';

type Status = Record<string, unknown>;

const MISSING_MANIFEST = 'pull model manifest: file does not exist';

/** What the "registry" would deliver for a name: a known default model, else a generic one. */
export function registryModel(name: string): FakeModel | undefined {
  if (name.toLowerCase().includes('doesnotexist')) return undefined;
  const known = defaultModels().find((m) => modelKey(m.name) === modelKey(name));
  return { ...(known ?? fakeModel(name)), name, modifiedAt: ollamaTimestamp() };
}

function layers(m: FakeModel): { digest: string; total: number }[] {
  return [
    { digest: `sha256:${m.digest}`, total: m.size - 1_800 },
    { digest: `sha256:${sha256Hex(`${m.name}:template`)}`, total: 387 },
    { digest: `sha256:${sha256Hex(`${m.name}:license`)}`, total: 1_065 },
    { digest: `sha256:${sha256Hex(`${m.name}:params`)}`, total: 148 },
  ];
}

function progress(verb: string, m: FakeModel, isInstalled: boolean): Status[] {
  return layers(m).flatMap(({ digest, total }, i) => {
    const status = `${verb} ${digest.slice(7, 19)}`;
    // Blobs already present are reported once as complete; the big one is downloaded in steps.
    const steps = isInstalled || i > 0 ? [1] : [0, 0.25, 0.5, 0.75, 1];
    return steps.map((f) => ({ status, digest, total, completed: Math.round(total * f) }));
  });
}

/** Picks `model` (or legacy `name`), answering 400 when neither is usable. */
export function requireName(ex: Exchange, body: Record<string, unknown>): string | undefined {
  const name = body['model'] ?? body['name'];
  if (typeof name !== 'string' || name === '') return void sendError(ex, 400, 'model is required');
  if (!isValidModelName(name)) return void sendError(ex, 400, 'invalid model name');
  return name;
}

/** Streams the statuses, or with stream:false answers with the last one (or the error, as 500). */
export async function sendStatuses(ex: Exchange, ctx: HandlerContext, body: Record<string, unknown>, lines: Status[]): Promise<void> {
  if (body['stream'] !== false) return sendNdjson(ex, lines, ctx.tokenDelayMs);
  const last = lines.at(-1) ?? { status: 'success' };
  if (typeof last['error'] === 'string') return sendError(ex, 500, last['error']);
  sendJson(ex, 200, last);
}

export async function handlePull(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const body = decodeObject(ex, 'api.PullRequest');
  const name = body && requireName(ex, body);
  if (!body || !name) return;
  const pulled = registryModel(name);
  if (!pulled) return sendStatuses(ex, ctx, body, [{ status: 'pulling manifest' }, { error: MISSING_MANIFEST }]);
  const isInstalled = ctx.state.find(name) !== undefined;
  ctx.state.install(pulled);
  await sendStatuses(ex, ctx, body, [
    { status: 'pulling manifest' },
    ...progress('pulling', pulled, isInstalled),
    { status: 'verifying sha256 digest' },
    { status: 'writing manifest' },
    { status: 'success' },
  ]);
}

export async function handlePush(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const body = decodeObject(ex, 'api.PushRequest');
  const name = body && requireName(ex, body);
  if (!body || !name) return;
  const m = ctx.state.find(name);
  if (!m) return sendError(ex, 404, `model '${name}' not found`);
  await sendStatuses(ex, ctx, body, [
    { status: 'retrieving manifest' },
    ...progress('pushing', m, true),
    { status: 'pushing manifest' },
    { status: 'success' },
  ]);
}

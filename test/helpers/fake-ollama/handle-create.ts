// Routes that change the installed set: POST /api/create, POST /api/copy, DELETE /api/delete, and
// the blob upload (/api/blobs/sha256:...) that create's `files`/`adapters` refer to.
import { decodeObject, sendError, sendRaw, type Exchange } from './exchange.js';
import { fakeModel, sha256Hex, type FakeModel, type FakeModelMessage } from './fake-model.js';
import type { HandlerContext } from './handler-context.js';
import { requireName, sendStatuses } from './handle-pull.js';
import { isValidModelName } from './model-name.js';
import { ollamaTimestamp } from './ollama-timestamp.js';

type Body = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function messagesOf(value: unknown): FakeModelMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isRecord).map((m) => ({ role: String(m['role'] ?? ''), content: String(m['content'] ?? '') }));
}

function derive(name: string, base: FakeModel, body: Body): FakeModel {
  const license = Array.isArray(body['license']) ? body['license'].join('\n') : body['license'];
  const messages = messagesOf(body['messages']) ?? base.messages;
  const adapters = isRecord(body['adapters']) ? (body['adapters'] as Record<string, string>) : base.adapters;
  const system = typeof body['system'] === 'string' ? body['system'] : base.system;
  const quantize = typeof body['quantize'] === 'string' ? body['quantize'].toUpperCase() : undefined;
  return {
    ...base,
    name,
    digest: sha256Hex(`${name}:${JSON.stringify(body)}`),
    modifiedAt: ollamaTimestamp(),
    details: { ...base.details, parent_model: base.name, ...(quantize ? { quantization_level: quantize } : {}) },
    template: typeof body['template'] === 'string' ? body['template'] : base.template,
    parameters: { ...base.parameters, ...(isRecord(body['parameters']) ? body['parameters'] : {}) },
    ...(system === undefined ? {} : { system }),
    ...(messages === undefined ? {} : { messages }),
    ...(adapters === undefined ? {} : { adapters }),
    ...(typeof license === 'string' ? { license } : {}),
  };
}

function layerStatuses(model: FakeModel, body: Body): Record<string, unknown>[] {
  const created = ['template', 'system', 'parameters', 'messages', 'adapters', 'license'].filter((k) => body[k] !== undefined);
  return [
    { status: `using existing layer sha256:${model.digest}` },
    ...created.map((k) => ({ status: `creating new layer sha256:${sha256Hex(`${model.name}:${k}`)}` })),
    { status: 'writing manifest' },
    { status: 'success' },
  ];
}

export async function handleCreate(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const body = decodeObject(ex, 'api.CreateRequest');
  const name = body && requireName(ex, body);
  if (!body || !name) return;
  const from = body['from'];
  const files = body['files'];
  if (typeof from !== 'string' && !isRecord(files)) return sendError(ex, 400, "neither 'from' or 'files' was specified");
  const base = typeof from === 'string' ? ctx.state.find(from) : fakeModel(name, { details: { ...fakeModel(name).details, quantization_level: 'F16' } });
  if (!base) return sendStatuses(ex, ctx, body, [{ error: 'pull model manifest: file does not exist' }]);
  const quantize = body['quantize'];
  if (typeof quantize === 'string' && !['F16', 'F32'].includes(base.details.quantization_level)) {
    return sendError(ex, 400, 'quantization is only supported for F16 and F32 models');
  }
  const model = derive(name, base, body);
  ctx.state.install(model);
  await sendStatuses(ex, ctx, body, layerStatuses(model, body));
}

export function handleCopy(ex: Exchange, ctx: HandlerContext): void {
  const body = decodeObject(ex, 'api.CopyRequest');
  if (!body) return;
  const { source, destination } = body;
  if (typeof source !== 'string' || !isValidModelName(source)) return sendError(ex, 400, `source ${JSON.stringify(source ?? '')} is invalid`);
  if (typeof destination !== 'string' || !isValidModelName(destination)) {
    return sendError(ex, 400, `destination ${JSON.stringify(destination ?? '')} is invalid`);
  }
  const model = ctx.state.find(source);
  if (!model) return sendError(ex, 404, `model ${JSON.stringify(source)} not found`);
  ctx.state.install({ ...structuredClone(model), name: destination, modifiedAt: ollamaTimestamp() });
  sendRaw(ex, 200, '', {});
}

export function handleDelete(ex: Exchange, ctx: HandlerContext): void {
  const body = decodeObject(ex, 'api.DeleteRequest');
  if (!body) return;
  const name = body['model'] ?? body['name'];
  if (typeof name !== 'string' || !isValidModelName(name)) return sendError(ex, 400, `name ${JSON.stringify(name ?? '')} is invalid`);
  if (!ctx.state.uninstall(name)) return sendError(ex, 404, `model '${name}' not found`);
  sendRaw(ex, 200, '', {});
}

/** HEAD checks that a blob exists; POST uploads it and verifies the digest in the path. */
export function handleBlob(ex: Exchange, ctx: HandlerContext): void {
  const digest = decodeURIComponent(ex.path.slice('/api/blobs/'.length));
  if (ex.method === 'HEAD') return sendRaw(ex, ctx.state.blobs.has(digest) ? 200 : 404, '', {});
  const actual = `sha256:${sha256Hex(ex.rawBody)}`;
  if (actual !== digest) return sendError(ex, 400, 'digest mismatch');
  ctx.state.blobs.add(digest);
  sendRaw(ex, 201, '', {});
}

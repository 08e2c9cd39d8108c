// Ollama's route table (server/routes.go GenerateRoutes), restricted to what the fake implements.
import { sendText, type Exchange } from './exchange.js';
import { handleChat } from './handle-chat.js';
import { handleBlob, handleCopy, handleCreate, handleDelete } from './handle-create.js';
import { handleEmbed, handleEmbeddings } from './handle-embed.js';
import { handleGenerate } from './handle-generate.js';
import { handleOpenAIModels, handlePs, handleShow, handleTags, handleVersion } from './handle-model-info.js';
import { handleOpenAIChat } from './handle-openai-chat.js';
import { handlePull, handlePush } from './handle-pull.js';
import type { HandlerContext } from './handler-context.js';

type Handler = (ex: Exchange, ctx: HandlerContext) => void | Promise<void>;

const isRunning: Handler = (ex) => sendText(ex, 200, 'Ollama is running');

const ROUTES: Record<string, Record<string, Handler>> = {
  '/': { GET: isRunning, HEAD: isRunning },
  '/api/version': { GET: handleVersion, HEAD: handleVersion },
  '/api/tags': { GET: handleTags, HEAD: handleTags },
  '/api/show': { POST: handleShow },
  '/api/ps': { GET: handlePs },
  '/api/chat': { POST: handleChat },
  '/api/generate': { POST: handleGenerate },
  '/api/embed': { POST: handleEmbed },
  '/api/embeddings': { POST: handleEmbeddings },
  '/api/pull': { POST: handlePull },
  '/api/push': { POST: handlePush },
  '/api/create': { POST: handleCreate },
  '/api/copy': { POST: handleCopy },
  '/api/delete': { DELETE: handleDelete },
  '/api/blobs/:digest': { HEAD: handleBlob, POST: handleBlob },
  '/v1/chat/completions': { POST: handleOpenAIChat },
  '/v1/models': { GET: handleOpenAIModels },
};

export async function dispatch(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const route = ex.path.startsWith('/api/blobs/') ? '/api/blobs/:digest' : ex.path;
  const methods = ROUTES[route];
  // Gin's plain-text defaults for unknown paths and wrong methods.
  if (!methods) return sendText(ex, 404, '404 page not found');
  const handler = methods[ex.method];
  if (!handler) return sendText(ex, 405, '405 method not allowed');
  await handler(ex, ctx);
}

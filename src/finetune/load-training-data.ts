import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidRequestError, ProxyError } from '../core/errors.js';

// Reads `training_data`: an http(s) URL or a path on the server. Bounded in size; with `allowedDir` set,
// paths must lie inside it (the API is admin-only, but the server's files are still not all training data).

export interface TrainingDataOptions {
  maxBytes: number;
  /** Local paths must resolve inside this directory (relative paths are taken from it). */
  allowedDir?: string;
  fetch?: typeof fetch;
}

const PARAM = 'training_data';

function tooLarge(maxBytes: number): ProxyError {
  return new ProxyError('payload_too_large', `training_data is larger than ${maxBytes} bytes.`, { param: PARAM });
}

async function readUrl(url: string, options: TrainingDataOptions, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new InvalidRequestError(`training_data URL could not be fetched: ${(error as Error).message}.`, PARAM);
  }
  if (!response.ok || !response.body) throw new InvalidRequestError(`training_data URL answered HTTP ${response.status}.`, PARAM);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > options.maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(options.maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readPath(path: string, options: TrainingDataOptions): Promise<string> {
  const root = options.allowedDir === undefined ? process.cwd() : resolve(options.allowedDir);
  const full = resolve(root, path);
  const inside = relative(root, full);
  if (options.allowedDir !== undefined && (inside.startsWith('..') || isAbsolute(inside))) {
    throw new InvalidRequestError('training_data must be a file inside the directory set by FINETUNE_DATA_DIR, or an http(s) URL.', PARAM);
  }
  try {
    if ((await stat(full)).size > options.maxBytes) throw tooLarge(options.maxBytes);
    return await readFile(full, 'utf8');
  } catch (error) {
    if (error instanceof ProxyError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InvalidRequestError(`training_data file cannot be read (${code}).`, PARAM);
  }
}

export function loadTrainingData(source: string, options: TrainingDataOptions, signal: AbortSignal): Promise<string> {
  if (/^https?:\/\//i.test(source)) return readUrl(source, options, signal);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new InvalidRequestError('training_data must be a local path or an http(s) URL.', PARAM);
  return readPath(source, options);
}

/** What jobs show of the source: no URL credentials or query string (signed URLs carry tokens there). */
export function describeTrainingSource(source: string): string {
  if (!/^https?:\/\//i.test(source)) return source;
  try {
    const url = new URL(source);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

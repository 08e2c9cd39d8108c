import { InvalidRequestError } from '../core/errors.js';

// The `compaction` item of POST /responses/compact carries OpenAI's encrypted summary. Ours carries the
// summary our model wrote, base64-encoded behind a marker (readable, not encrypted: it holds nothing the
// client did not send). A following request turns it back into a system message.

const MARKER = 'ollama-proxy.summary.v1:';
export const COMPACTION_HEADING = 'Summary of the earlier conversation:';

export function encodeCompaction(summary: string): string {
  return MARKER + Buffer.from(summary, 'utf8').toString('base64');
}

export function decodeCompaction(content: string, param: string): string {
  if (!content.startsWith(MARKER)) {
    throw new InvalidRequestError(`Invalid '${param}': this compaction item was not produced by this server's /responses/compact.`, param);
  }
  return Buffer.from(content.slice(MARKER.length), 'base64').toString('utf8');
}

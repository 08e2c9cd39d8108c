import type { Logger } from '../core/logger.js';
import type { OllamaBackend } from '../ollama/ollama-backend.js';
import { describeOllamaHosts } from './describe-ollama.js';

/**
 * One log line per Ollama host (reachable or not, version, models) and one for the DeepSeek aliases, written
 * after the server listens: start-up never waits for Ollama, and a slow host delays only its own line.
 */
export async function logOllamaReport(
  ollama: Pick<OllamaBackend, 'inspectHosts'>,
  aliases: Readonly<Record<string, string>>,
  logger: Logger,
  timeoutMs = 5_000,
): Promise<void> {
  const hosts = await ollama.inspectHosts(AbortSignal.timeout(timeoutMs));
  for (const line of describeOllamaHosts(hosts, aliases)) {
    const meta = { check: 'ollama', ...line.fields, ...(line.fix === undefined ? {} : { fix: line.fix }) };
    if (line.status === 'ok') logger.info(line.message, meta);
    else logger.warn(line.fix === undefined ? line.message : `${line.message}. ${line.fix}`, meta);
  }
}

import { errorCodes } from '../shared/connect-failure.js';

// What a user reads when Ollama cannot be reached: which address was tried, why, and what to do about it.

export const UNREACHABLE_FIX = 'Start Ollama (`ollama serve`), or set OLLAMA_URL to the address where it runs.';

/** 'ECONNREFUSED', 'ENOTFOUND', … or the error's message when it has no code. */
export function failureReason(error: unknown): string {
  return errorCodes(error).find((code) => code !== 'UND_ERR_SOCKET') ?? (error instanceof Error ? error.message : String(error));
}

/** "Ollama is unreachable at http://127.0.0.1:11434 (ECONNREFUSED). Start Ollama (`ollama serve`), or set OLLAMA_URL …" */
export function describeUnreachable(failures: ReadonlyArray<{ url: string; reason: string }>): string {
  const where = failures.map(({ url, reason }) => `${url} (${reason})`).join(', ');
  const subject = failures.length > 1 ? 'No Ollama host is reachable' : 'Ollama is unreachable at';
  return `${subject}${failures.length > 1 ? ': ' : ' '}${where}. ${UNREACHABLE_FIX}`;
}

import type { ModelInfo } from '../core/chat-result.js';
import { UNREACHABLE_FIX } from '../ollama/describe-unreachable.js';
import type { OllamaHostReport } from '../ollama/inspect-hosts.js';
import { resolveBuiltInAlias } from '../pipeline/model-resolution.js';

// What the server says at start-up, and `doctor` prints, about its Ollama hosts and model names. Pure.

export interface CheckLine {
  status: 'ok' | 'warn' | 'fail';
  /** One line a person reads: "Ollama at http://…: reachable, version 0.12.3, 2 models: …". */
  message: string;
  /** What to do about a warn or fail. */
  fix?: string;
  /** Structured fields for the JSON log line. */
  fields: Record<string, unknown>;
}

/** DeepSeek's API names that resolve to installed Ollama models without configuration. */
const DEEPSEEK_NAMES = ['deepseek-chat', 'deepseek-reasoner'];
const PULL_FIX = 'Pull one into Ollama: `ollama pull deepseek-r1:7b` (or `ollama-openai-proxy models pull deepseek-r1:7b` through the proxy).';
const SHOWN_MODELS = 8;

export function describeOllamaHosts(hosts: readonly OllamaHostReport[], aliases: Readonly<Record<string, string>>): CheckLine[] {
  const lines = hosts.map(describeHost);
  const installed = [...new Set(hosts.flatMap((host) => host.models ?? []))];
  if (hosts.some((host) => host.models !== undefined)) lines.push(describeAliases(installed, aliases));
  return lines;
}

function describeHost(host: OllamaHostReport): CheckLine {
  const fields: Record<string, unknown> = { url: host.url, reachable: host.reachable };
  if (!host.reachable) {
    return { status: 'fail', message: `Ollama at ${host.url}: not reachable (${host.error ?? 'unknown error'})`, fix: UNREACHABLE_FIX, fields: { ...fields, error: host.error } };
  }
  fields.version = host.version;
  if (host.models === undefined) {
    return { status: 'warn', message: `Ollama at ${host.url}: reachable, version ${host.version ?? '?'}, but ${host.error ?? 'its models could not be listed'}`, fields };
  }
  fields.models = host.models;
  const count = `${host.models.length} model${host.models.length === 1 ? '' : 's'}`;
  if (host.models.length === 0) {
    return { status: 'warn', message: `Ollama at ${host.url}: reachable, version ${host.version ?? '?'}, no models installed`, fix: PULL_FIX, fields };
  }
  const shown = host.models.slice(0, SHOWN_MODELS).join(', ');
  const more = host.models.length > SHOWN_MODELS ? ` and ${host.models.length - SHOWN_MODELS} more` : '';
  return { status: 'ok', message: `Ollama at ${host.url}: reachable, version ${host.version ?? '?'}, ${count}: ${shown}${more}`, fields };
}

function describeAliases(installed: readonly string[], aliases: Readonly<Record<string, string>>): CheckLine {
  const models: ModelInfo[] = installed.map((id) => ({ id, createdAt: new Date(0), ownedBy: 'library' }));
  const resolved: Record<string, string | null> = {};
  for (const name of new Set([...DEEPSEEK_NAMES, ...Object.keys(aliases)])) {
    const target = aliases[name] ?? resolveBuiltInAlias(name, models);
    resolved[name] = target !== undefined && installed.includes(target) ? target : null;
  }
  const parts = Object.entries(resolved).map(([name, target]) => `${name} → ${target ?? `nothing installed${aliases[name] ? ` (${aliases[name]} is configured)` : ''}`}`);
  const unresolved = Object.entries(resolved).filter(([, target]) => target === null).map(([name]) => name);
  const configuredMissing = unresolved.filter((name) => aliases[name] !== undefined);
  const line: CheckLine = { status: configuredMissing.length > 0 ? 'warn' : 'ok', message: `Model aliases: ${parts.join(', ')}`, fields: { aliases: resolved } };
  if (unresolved.length > 0) {
    line.fix = configuredMissing.length > 0
      ? `Pull the configured targets (\`ollama pull ${configuredMissing.map((name) => aliases[name]).join(' ')}\`) or change models.aliases in CONFIG_FILE.`
      : 'To use DeepSeek\'s API names, pull a model of the family: `ollama pull deepseek-r1:7b` (deepseek-reasoner), `ollama pull deepseek-v3.1` (deepseek-chat).';
  }
  return line;
}

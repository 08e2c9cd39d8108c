// The plugin contract: typed hooks around the backend (DESIGN.md 2.6). Operators write a module whose
// default export (or `plugin` export) is a ProxyPlugin and list its path in PLUGINS; no directory scanning.
import type { ChatRequest, ToolCall, ToolDefinition } from '../core/chat-request.js';
import type { ChatResult } from '../core/chat-result.js';
import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';

export interface PluginContext {
  principal: Principal;
  requestId: string;
  /** Tagged with the plugin's name. */
  logger: Logger;
  /** Aborted when the client goes away: long tool runs should stop. */
  signal: AbortSignal;
  /** Refuses the request: the client gets a 400 naming this plugin and the reason. */
  reject(reason: string): never;
}

/** How a server-side tool run is shown to the client (the model always gets `content`). */
export interface ToolRunDisplay {
  channel: 'reasoning' | 'content';
  text: string;
}

export interface ToolOutput {
  /** Fed back to the model as the tool message. */
  content: string;
  /** Omitted: the client sees nothing of this run. */
  display?: ToolRunDisplay;
}

export interface ProxyPlugin {
  /** Unique; named in errors and logs, and what clients list in `plugins`. */
  name: string;
  /** Server-side tools this plugin implements; added to the request's tools while it is active. */
  tools?: ToolDefinition[];
  beforeRequest?(request: ChatRequest, ctx: PluginContext): ChatRequest | Promise<ChatRequest>;
  afterResult?(result: ChatResult, ctx: PluginContext): ChatResult | Promise<ChatResult>;
  /** Runs a call to one of `tools`; a plain string is the tool message for the model. */
  runTool?(call: ToolCall, ctx: PluginContext): Promise<string | ToolOutput>;
  /** Releases resources at shutdown (sandboxes, connections). */
  close?(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Identity with checks: a typo in a hook name or a tool without runTool fails at start-up, not mid-request. */
export function definePlugin<T extends ProxyPlugin>(plugin: T): T {
  const problems = describePluginProblems(plugin);
  if (problems.length > 0) throw new TypeError(`Invalid plugin: ${problems.join('; ')}`);
  return plugin;
}

const HOOKS = ['beforeRequest', 'afterResult', 'runTool', 'close'] as const;

/** Structural checks for values that claim to be plugins (operator modules arrive as `unknown`). */
export function describePluginProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['a plugin must be an object'];
  const candidate = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof candidate.name !== 'string' || !NAME.test(candidate.name)) {
    problems.push('`name` must be 1-64 letters, digits, "_", "-" or "."');
  }
  for (const hook of HOOKS) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== 'function') problems.push(`\`${hook}\` must be a function`);
  }
  const tools = candidate.tools;
  if (tools !== undefined) {
    const isToolList = Array.isArray(tools) && tools.every((tool: unknown) => typeof (tool as { name?: unknown } | null)?.name === 'string');
    if (!isToolList) problems.push('`tools` must be an array of { name, description?, parameters? }');
    else if (tools.length > 0 && typeof candidate.runTool !== 'function') problems.push('a plugin with `tools` needs `runTool`');
  }
  return problems;
}

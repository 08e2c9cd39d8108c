import type { ToolChoice, ToolDefinition } from '../core/chat-request.js';
import { invalidParam } from '../openai/parse-openai-body.js';
import type { ResponsesCreateBody, ResponsesTool } from './responses-wire.js';
import { CUSTOM_INPUT_ARGUMENT, flatToolName, type DeclaredTool } from './tool-names.js';

// Declared tools → the flat function list the model sees. Hosted tools (web_search, file_search, tool_search,
// ...) run at OpenAI; we cannot serve them, and refusing them would break agents that always send one (Codex),
// so they are dropped with a warning.

export interface ResponsesToolSettings {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  names: Map<string, DeclaredTool>;
  /** The tools as the response object echoes them: what was served, in the client's shapes. */
  echo: unknown[];
  warnings: string[];
}

type FunctionTool = Extract<ResponsesTool, { type: 'function' }>;
type CustomTool = Extract<ResponsesTool, { type: 'custom' }>;
type NamespaceTool = Extract<ResponsesTool, { type: 'namespace' }>;

export function toToolSettings(declared: readonly ResponsesTool[], choice: ResponsesCreateBody['tool_choice']): ResponsesToolSettings {
  const settings: ResponsesToolSettings = { names: new Map(), echo: [], warnings: [] };
  const tools: ToolDefinition[] = [];
  const add = (tool: FunctionTool | CustomTool, namespace: string | undefined, param: string) => {
    const flat = flatToolName(tool.name, namespace);
    if (settings.names.has(flat)) throw invalidParam(`${param}.name`, `duplicate tool name '${flat}'`);
    const entry: DeclaredTool = { kind: tool.type, name: tool.name };
    if (namespace) entry.namespace = namespace;
    settings.names.set(flat, entry);
    tools.push(tool.type === 'custom' ? customFunction(flat, tool) : functionDefinition(flat, tool));
  };
  declared.forEach((tool, j) => {
    if (tool.type === 'function' || tool.type === 'custom') {
      add(tool as FunctionTool | CustomTool, undefined, `tools[${j}]`);
      settings.echo.push(echoTool(tool as FunctionTool | CustomTool));
    } else if (tool.type === 'namespace') {
      const namespace = tool as NamespaceTool;
      namespace.tools.forEach((inner, k) => add(inner, namespace.name, `tools[${j}].tools[${k}]`));
      settings.echo.push({ ...namespace, tools: namespace.tools.map(echoTool) });
    } else {
      settings.warnings.push(`hosted tool '${tool.type}' is not available on this server and was ignored`);
    }
  });
  if (tools.length > 0) settings.tools = tools;
  applyChoice(settings, choice);
  return settings;
}

function functionDefinition(name: string, tool: FunctionTool): ToolDefinition {
  const definition: ToolDefinition = { name };
  if (tool.description != null) definition.description = tool.description;
  if (tool.parameters != null) definition.parameters = tool.parameters;
  return definition;
}

/** A free-form tool as a function of one string; a grammar, if any, is spelled out for the model. */
function customFunction(name: string, tool: CustomTool): ToolDefinition {
  const format = tool.format as { type?: unknown; syntax?: unknown; definition?: unknown } | null | undefined;
  const grammar = format?.type === 'grammar' && typeof format.definition === 'string' ? `\nThe input must follow this ${String(format.syntax ?? '')} grammar:\n${format.definition}` : '';
  const description = `${tool.description ?? ''}\nPass the raw free-form input as the string argument '${CUSTOM_INPUT_ARGUMENT}'.${grammar}`.trim();
  return {
    name,
    description,
    parameters: { type: 'object', properties: { [CUSTOM_INPUT_ARGUMENT]: { type: 'string' } }, required: [CUSTOM_INPUT_ARGUMENT] },
  };
}

function echoTool(tool: FunctionTool | CustomTool): unknown {
  if (tool.type === 'custom') return tool;
  return { type: 'function', name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null };
}

function applyChoice(settings: ResponsesToolSettings, choice: ResponsesCreateBody['tool_choice']): void {
  const declared = settings.tools ?? [];
  if (choice == null) return;
  if (typeof choice === 'string') {
    if (choice === 'required' && declared.length === 0) throw invalidParam('tool_choice', "'required' needs at least one function or custom tool in 'tools'");
    if (declared.length > 0) settings.toolChoice = choice;
    return;
  }
  if ((choice.type === 'function' || choice.type === 'custom') && 'name' in choice && typeof choice.name === 'string') {
    settings.toolChoice = { name: requireDeclared(settings, choice.name, 'tool_choice.name') };
    return;
  }
  if (choice.type === 'allowed_tools' && 'tools' in choice && Array.isArray(choice.tools)) {
    const allowed = new Set<string>();
    (choice.tools as { name?: string | null }[]).forEach((tool, j) => {
      if (typeof tool.name === 'string') allowed.add(requireDeclared(settings, tool.name, `tool_choice.tools[${j}].name`));
    });
    settings.tools = declared.filter((tool) => allowed.has(tool.name));
    if (settings.tools.length > 0) settings.toolChoice = (choice as { mode: 'auto' | 'required' }).mode;
    else delete settings.tools;
    return;
  }
  settings.warnings.push(`tool_choice '${choice.type}' names a hosted tool that is not available; 'auto' was used`);
}

/** The flat name for a tool the client names (a namespaced function may be named without its namespace). */
function requireDeclared(settings: ResponsesToolSettings, name: string, param: string): string {
  if (settings.names.has(name)) return name;
  for (const [flat, tool] of settings.names) if (tool.name === name) return flat;
  throw invalidParam(param, `no tool named '${name}' is declared in 'tools'`);
}

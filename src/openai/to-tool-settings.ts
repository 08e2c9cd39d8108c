import type { ToolChoice, ToolDefinition } from '../core/chat-request.js';
import type { OpenAIChatCompletionRequest } from './openai-wire.js';
import { invalidParam } from './parse-openai-body.js';

export interface ToolSettings {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

type FunctionDefinition = NonNullable<OpenAIChatCompletionRequest['functions']>[number];

/** `tools`/`tool_choice`, or their deprecated forerunners `functions`/`function_call` when `tools` is absent. */
export function toToolSettings(body: OpenAIChatCompletionRequest): ToolSettings {
  const isLegacy = body.tools == null && body.functions != null;
  const declared = isLegacy
    ? (body.functions ?? []).map(toToolDefinition)
    : (body.tools ?? []).map((tool) => toToolDefinition(tool.function));
  checkUniqueNames(declared, isLegacy ? 'functions' : 'tools');
  const choice = isLegacy ? legacyChoice(body.function_call) : body.tool_choice;
  const settings: ToolSettings = {};
  if (declared.length > 0) settings.tools = declared;
  if (choice == null) return settings;
  const param = isLegacy ? 'function_call' : 'tool_choice';
  if (typeof choice === 'string') {
    if (choice === 'required' && declared.length === 0) throw invalidParam(param, "'required' needs at least one tool in 'tools'");
    // 'auto' or 'none' without tools is harmless; clients send it by default.
    if (declared.length > 0) settings.toolChoice = choice;
    return settings;
  }
  if (choice.type === 'function') {
    requireDeclared(declared, choice.function.name, `${param}.function.name`);
    settings.toolChoice = { name: choice.function.name };
    return settings;
  }
  // allowed_tools narrows the declared list for this request.
  const allowed = choice.allowed_tools.tools.map((tool, j) => {
    const name = tool.function.name;
    requireDeclared(declared, name, `tool_choice.allowed_tools.tools[${j}].function.name`);
    return name;
  });
  settings.tools = declared.filter((tool) => allowed.includes(tool.name));
  settings.toolChoice = choice.allowed_tools.mode;
  return settings;
}

function toToolDefinition(fn: FunctionDefinition): ToolDefinition {
  const tool: ToolDefinition = { name: fn.name };
  if (fn.description != null) tool.description = fn.description;
  if (fn.parameters != null) tool.parameters = fn.parameters;
  return tool;
}

function checkUniqueNames(tools: readonly ToolDefinition[], param: string): void {
  const seen = new Set<string>();
  tools.forEach((tool, j) => {
    if (seen.has(tool.name)) {
      throw invalidParam(param === 'tools' ? `tools[${j}].function.name` : `functions[${j}].name`, `duplicate tool name '${tool.name}'`);
    }
    seen.add(tool.name);
  });
}

function requireDeclared(tools: readonly ToolDefinition[], name: string, param: string): void {
  if (!tools.some((tool) => tool.name === name)) throw invalidParam(param, `no tool named '${name}' is declared in 'tools'`);
}

type LegacyChoice = OpenAIChatCompletionRequest['function_call'];

function legacyChoice(choice: LegacyChoice): OpenAIChatCompletionRequest['tool_choice'] {
  if (choice == null || typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

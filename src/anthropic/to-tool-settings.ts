import type { ToolChoice, ToolDefinition } from '../core/chat-request.js';
import type { AnthropicCountTokensRequest, AnthropicTool } from './anthropic-wire.js';
import { invalidField } from './parse-anthropic-body.js';

export interface ToolSettings {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: false;
}

/**
 * `tools` + `tool_choice`. Only custom tools (run by the client) can be offered to an Ollama model; server tools
 * (web search, code execution) and Anthropic-defined schemas (bash_…, text_editor_…) are refused by name.
 * `disable_parallel_tool_use: true` → `parallelToolCalls: false` (at most one tool_use block in the answer).
 */
export function toToolSettings(body: Pick<AnthropicCountTokensRequest, 'tools' | 'tool_choice'>): ToolSettings {
  const tools = (body.tools ?? []).map(toToolDefinition);
  const seen = new Set<string>();
  tools.forEach((tool, i) => {
    if (seen.has(tool.name)) throw invalidField(['tools', i, 'name'], `duplicate tool name '${tool.name}'`);
    seen.add(tool.name);
  });
  const settings: ToolSettings = {};
  if (tools.length > 0) settings.tools = tools;
  const choice = body.tool_choice;
  if (choice == null) return settings;
  if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true) settings.parallelToolCalls = false;
  switch (choice.type) {
    case 'auto':
    case 'none':
      // Harmless without tools; some clients always send it.
      if (tools.length > 0) settings.toolChoice = choice.type;
      return settings;
    case 'any':
      if (tools.length === 0) throw invalidField(['tool_choice', 'type'], "'any' needs at least one tool in 'tools'");
      settings.toolChoice = 'required';
      return settings;
    case 'tool':
      if (!seen.has(choice.name)) throw invalidField(['tool_choice', 'name'], `no tool named '${choice.name}' is declared in 'tools'`);
      settings.toolChoice = { name: choice.name };
      return settings;
  }
}

function toToolDefinition(tool: AnthropicTool, i: number): ToolDefinition {
  if (tool.type != null && tool.type !== 'custom') {
    throw invalidField(['tools', i, 'type'], `tool type '${tool.type}' is not supported: only custom tools (name, description, input_schema) can be served by this proxy`);
  }
  if (tool.input_schema == null) throw invalidField(['tools', i, 'input_schema'], 'Field required');
  const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema };
  if (tool.description != null) definition.description = tool.description;
  return definition;
}

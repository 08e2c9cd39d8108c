import type { ToolCall } from '../core/chat-request.js';
import type { ResponsesCustomToolCallItem, ResponsesFunctionCallItem } from './responses-output.js';

// The model sees one flat list of functions. Namespaced functions get `<namespace>__<name>`, and free-form
// `custom` tools become a function taking one string, `input`; this map turns the model's calls back into the
// items the client declared (function_call with its namespace, or custom_tool_call with the raw input).

export interface DeclaredTool {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

export type ToolNames = ReadonlyMap<string, DeclaredTool>;

export const NAMESPACE_SEPARATOR = '__';

export function flatToolName(name: string, namespace: string | null | undefined): string {
  return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
}

/** What a custom tool's single argument is called in the function the model sees. */
export const CUSTOM_INPUT_ARGUMENT = 'input';

export function toCallItem(call: ToolCall, id: string, names: ToolNames): ResponsesFunctionCallItem | ResponsesCustomToolCallItem {
  const declared = names.get(call.name);
  if (declared?.kind === 'custom') {
    const item: ResponsesCustomToolCallItem = { type: 'custom_tool_call', id, call_id: call.id, name: declared.name, input: customInput(call.argumentsJson) };
    if (declared.namespace) item.namespace = declared.namespace;
    return item;
  }
  const item: ResponsesFunctionCallItem = {
    type: 'function_call',
    id,
    call_id: call.id,
    name: declared?.name ?? call.name,
    arguments: call.argumentsJson,
    status: 'completed',
  };
  if (declared?.namespace) item.namespace = declared.namespace;
  return item;
}

/** The model was asked for `{"input": "..."}`; anything else is passed on as the raw text it wrote. */
function customInput(argumentsJson: string): string {
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as Record<string, unknown>)[CUSTOM_INPUT_ARGUMENT] === 'string') {
      return (parsed as Record<string, string>)[CUSTOM_INPUT_ARGUMENT]!;
    }
  } catch {
    // not JSON: fall through
  }
  return argumentsJson;
}

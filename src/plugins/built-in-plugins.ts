import type { Logger } from '../core/logger.js';
import { createCodeInterpreterPlugin, CODE_INTERPRETER } from './code-interpreter/code-interpreter-plugin.js';
import type { CodeRunShow } from './code-interpreter/show-code-run.js';
import { createSandbox } from './code-interpreter/sandbox.js';
import { createPiiRedactor } from './pii-redaction/create-pii-redactor.js';
import { createPiiRedactionPlugin, PII_REDACTION } from './pii-redaction/pii-redaction-plugin.js';
import type { ProxyPlugin } from './plugin.js';

/** The part of the configuration plugins read (config.plugins has this shape). */
export interface PluginSettings {
  /** Built-in names or module paths, active on every request, in this order. */
  enabled: readonly string[];
  /** Built-in names or module paths that run only when asked for (request, perKey, models.defaults). */
  available: readonly string[];
  perKey: Readonly<Record<string, readonly string[]>>;
  maxToolRounds: number;
  codeInterpreter: { enabled: boolean; timeoutMs: number; memoryMb: number; maxOutputBytes: number; show: CodeRunShow };
  piiRedaction: { patterns: Readonly<Record<string, string>> };
}

export type BuiltInPlugin = { create: () => ProxyPlugin } | { unavailable: string };

/** Built-ins by name. Creating one is cheap: the sandbox starts its first child on the first run. */
export function builtInPlugins(settings: PluginSettings, logger: Logger): Map<string, BuiltInPlugin> {
  const { codeInterpreter } = settings;
  return new Map<string, BuiltInPlugin>([
    [PII_REDACTION, { create: () => createPiiRedactionPlugin(createPiiRedactor(settings.piiRedaction)) }],
    [
      CODE_INTERPRETER,
      codeInterpreter.enabled
        ? {
            create: () =>
              createCodeInterpreterPlugin({
                sandbox: createSandbox({ ...codeInterpreter, logger: logger.child({ plugin: CODE_INTERPRETER }) }),
                show: codeInterpreter.show,
              }),
          }
        : { unavailable: 'the code interpreter is off (set CODE_INTERPRETER_ENABLED=true to allow it)' },
    ],
  ]);
}

/**
 * The redactor for log lines when PII redaction is named in plugins configuration (enabled, available or
 * perKey): the logger is global, so it masks every line, not only those of the requests that use the plugin.
 */
export function createLogRedactor(settings: PluginSettings): ((text: string) => string) | undefined {
  const names = [...settings.enabled, ...settings.available, ...Object.values(settings.perKey).flat()];
  if (!names.includes(PII_REDACTION)) return undefined;
  const redactor = createPiiRedactor(settings.piiRedaction);
  return (text) => redactor.redact(text);
}

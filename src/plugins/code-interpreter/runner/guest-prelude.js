// Evaluated inside QuickJS before the untrusted code: a console that writes through the one
// host function, which is then removed from the global object. The completion value is the
// formatter used for the last expression's value.
(() => {
  const write = globalThis.__sandboxWrite;
  delete globalThis.__sandboxWrite;
  const format = (value, depth) => {
    if (typeof value === 'string') return depth > 0 ? JSON.stringify(value) : value;
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
    if (typeof value !== 'object' || value === null) return String(value);
    if (value instanceof Error) return value.stack ? `${value}\n${value.stack}` : String(value);
    if (value instanceof Date) return value.toISOString();
    if (depth > 3) return Array.isArray(value) ? '[Array]' : '[Object]';
    if (Array.isArray(value)) return `[${value.map((item) => format(item, depth + 1)).join(', ')}]`;
    if (value instanceof Map) return `Map(${value.size}) ${format(Object.fromEntries(value), depth)}`;
    if (value instanceof Set) return `Set(${value.size}) ${format([...value], depth)}`;
    const entries = Object.keys(value).map((key) => `${key}: ${format(value[key], depth + 1)}`);
    return `{${entries.join(', ')}}`;
  };
  const line = (args) => `${args.map((arg) => format(arg, 0)).join(' ')}\n`;
  const toStdout = (...args) => write(1, line(args));
  const toStderr = (...args) => write(2, line(args));
  globalThis.console = { log: toStdout, info: toStdout, debug: toStdout, warn: toStderr, error: toStderr };
  return (value) => format(value, 1);
})();

import { PROGRAM, type CliCommand } from './cli-command.js';

const HELP = `Usage: ${PROGRAM} serve

Runs the proxy server (the same as 'npm start' in a clone), configured by environment variables:
PORT (8000), HOST (127.0.0.1), OLLAMA_URL (http://127.0.0.1:11434), DATA_DIR (./data), MASTER_KEY, CONFIG_FILE, ...
The first start with an empty key store prints an admin key and saves it to DATA_DIR/admin.key.`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the proxy server (configured by PORT, HOST, OLLAMA_URL, DATA_DIR, ...)',
  async run(args, context) {
    if (args.includes('--help') || args.includes('-h')) {
      context.io.stdout(`${HELP}\n`);
      return 0;
    }
    if (args.length > 0) {
      context.io.stderr(`error: 'serve' takes no arguments; configure it with environment variables.\n${HELP}\n`);
      return 2;
    }
    // The server entry starts on import and keeps the process alive until SIGTERM; nothing else of the CLI runs.
    await import(new URL('../main.js', import.meta.url).href);
    return 0;
  },
};

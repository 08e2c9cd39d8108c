#!/usr/bin/env node
import { loadSecrets, SecretsError } from '../load-secrets.js';
import { runCli } from './run-cli.js';

// The CLI reads the server's secrets the same way (<NAME>_FILE, Vault), so DATABASE_URL_FILE works for it too.
let env: Record<string, string | undefined> = process.env;
try {
  env = (await loadSecrets(process.env)).env;
} catch (error) {
  if (!(error instanceof SecretsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const code = await runCli(process.argv.slice(2), {
  env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;

#!/usr/bin/env node
// Opt-in: installs the coding agents the agent tests drive (Codex CLI, Claude Code) into .agents/ at the repo
// root (git-ignored). Their native binaries come in platform-specific optional dependencies, ~700 MB in all.
// Usage: npm run agents:install. The tests look for .agents/node_modules/.bin/<agent> (or CODEX_BIN / CLAUDE_BIN).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENTS = ['@openai/codex@0.171.0', '@anthropic-ai/claude-code@2.1.332'];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const prefix = join(root, '.agents');
mkdirSync(prefix, { recursive: true });
// Its own package.json keeps npm from walking up to the project's.
if (!existsSync(join(prefix, 'package.json'))) writeFileSync(join(prefix, 'package.json'), '{ "name": "agents", "private": true }\n');
const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, ...AGENTS], { stdio: 'inherit' });
process.exit(result.status ?? 1);

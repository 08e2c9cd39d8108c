import { parseArgs } from 'node:util';
import { parseDuration } from '../access/duration.js';
import { parseScopes } from '../access/scopes.js';
import { CliUsageError, PROGRAM, parseOrUsage, type CliCommand } from './cli-command.js';

const HELP = `Usage: ${PROGRAM} token ID [--ttl DURATION] [--scopes LIST] [--json]

Prints a short-lived JWT (HS256) for the key ID, usable as "Authorization: Bearer <token>".
It carries at most the key's scopes and stops working when the key is revoked. Signed with JWT_SECRET,
or with the secret kept in DATA_DIR/jwt.secret (set JWT_SECRET when several instances share keys).

Options:
  --ttl DURATION      lifetime such as 15m or 1h (default: JWT_TTL_SECONDS, 1h)
  --scopes LIST       a narrower comma-separated subset of the key's scopes
  --json              print {"token", "token_type", "expires_in", "expires_at"}
  -h, --help          show this help`;

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'print a short-lived JWT for a key',
  async run(args, context) {
    if (args.includes('--help') || args.includes('-h')) {
      context.io.stdout(`${HELP}\n`);
      return 0;
    }
    const { values, positionals } = parseOrUsage('token', () =>
      parseArgs({
        args,
        options: { ttl: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      }),
      ['ttl', 'scopes', 'json', 'help'],
    );
    if (positionals.length !== 1) throw new CliUsageError(`'token' takes exactly one key ID (got ${positionals.length}).`, 'token');
    const ttlSeconds = values.ttl === undefined ? undefined : Math.ceil(parseDuration(values.ttl, 'ttl') / 1000);
    const scopes = values.scopes === undefined ? undefined : parseScopes(values.scopes);
    const tokens = await (await context.access()).tokens();
    const issued = await tokens.issueTokenForKey(positionals[0]!, {
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      ...(scopes === undefined ? {} : { scopes }),
    });
    const output = values.json === true
      ? JSON.stringify({ token: issued.token, token_type: issued.tokenType, expires_in: issued.expiresIn, expires_at: issued.expiresAt.toISOString() }, null, 2)
      : issued.token;
    context.io.stdout(`${output}\n`);
    return 0;
  },
};

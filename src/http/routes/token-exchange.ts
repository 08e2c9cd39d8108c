import type { Request, Response } from 'express';
import type { TokenService } from '../../access/token-service.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { tokenRequestBody } from './admin-wire.js';

/** POST /api/v1/auth: `{client_id, secret}` → a short-lived HS256 bearer token. The credentials are the auth. */
export function tokenExchangeRoute(tokens: TokenService) {
  return async function tokenExchange(req: Request, res: Response): Promise<void> {
    const body = parseOpenAIBody(tokenRequestBody, req.body);
    const issued = await tokens.exchangeCredentials(body.client_id, body.secret);
    // Tokens are credentials: no shared cache may keep them.
    res.setHeader('cache-control', 'no-store');
    res.json({ token: issued.token, token_type: issued.tokenType, expires_in: issued.expiresIn });
  };
}

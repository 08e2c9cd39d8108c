// The CLI speaks in flags: errors raised by the key service or the admin API name their API field (`param`),
// which a CLI user never typed. Field → flag, for the message the CLI prints.

const FLAG_FOR_FIELD: Record<string, string> = {
  name: '--name',
  scopes: '--scopes',
  models: '--models',
  expires_in: '--expires',
  expires_at: '--expires',
  tier: '--tier',
  metadata: '--metadata',
  grace_period: '--grace',
  grace: '--grace',
  ttl: '--ttl',
  memory_limit: '--memory-limit',
  num_gpu: '--num-gpu',
  gpu_id: '--gpu',
  keep_alive: '--keep-alive',
  'limits.requestsPerMinute': '--requests-per-minute',
  'limits.burst': '--burst',
  'limits.tokensPerMinute': '--tokens-per-minute',
  'limits.concurrentStreams': '--concurrent-streams',
  'limits.tokensPerDay': '--tokens-per-day',
  'limits.tokensPerMonth': '--tokens-per-month',
};

/** "--expires: Invalid duration 'soon': …" when the error names a field the CLI has a flag for. */
export function inFlagTerms(message: string, param: string | null | undefined): string {
  let text = message;
  for (const [field, flag] of Object.entries(FLAG_FOR_FIELD)) {
    if (field.includes('_')) text = text.replace(new RegExp(`(?<![\\w-])${field}(?![\\w-])`, 'g'), flag);
  }
  const flag = param === null || param === undefined ? undefined : FLAG_FOR_FIELD[param];
  return flag === undefined || text.startsWith(flag) ? text : `${flag}: ${text}`;
}

import pg from 'pg';
import type { KeyChangeListener, KeyChangeWatch } from './key-store.js';

// PostgreSQL tells every instance about key changes itself: a statement trigger on api_keys NOTIFYs on
// commit, whoever wrote (an instance's admin API, the CLI, plain SQL). Each instance LISTENs on one
// dedicated connection. The payload is the table's schema, so instances of another deployment (or test) in
// the same database are told apart. Last-use updates (`touch`) change no watched column and notify nobody.

export const KEY_CHANGE_CHANNEL = 'oop_key_changes';

/**
 * Idempotent: run at every start, under the migration lock. The trigger is created only when missing, so a
 * starting instance takes no table lock that would stall the running ones (and no PostgreSQL 14+ syntax).
 */
export const KEY_CHANGE_TRIGGER_SQL = `
  CREATE OR REPLACE FUNCTION oop_notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN PERFORM pg_notify('${KEY_CHANGE_CHANNEL}', TG_TABLE_SCHEMA); RETURN NULL; END $$;
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'api_keys_changed' AND tgrelid = 'api_keys'::regclass) THEN
      CREATE TRIGGER api_keys_changed
        AFTER UPDATE OF hash, previous_hash, previous_hash_expires_at, revoked_at, expires_at, scopes, models, tier OR DELETE
        ON api_keys FOR EACH STATEMENT EXECUTE PROCEDURE oop_notify_key_change();
    END IF;
  END $$;`;

export interface PostgresKeyChangeWatchOptions {
  client: pg.ClientConfig;
  onError?: (error: Error) => void;
  /** First reconnect delay; it doubles up to 5 s. */
  retryMs?: number;
}

export function watchPostgresKeyChanges(listener: KeyChangeListener, options: PostgresKeyChangeWatchOptions): KeyChangeWatch {
  let closed = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  listener.live?.(false);

  // Called by whichever of the connection's events reports the loss first; later reports of the same client are ignored.
  const lost = (from: pg.Client, error?: Error) => {
    if (closed || client !== from) return;
    if (error) options.onError?.(error);
    client = undefined;
    from.removeAllListeners();
    from.on('error', () => undefined);
    from.end().catch(() => undefined);
    listener.live?.(false);
    listener.changed();
    const delay = Math.min(5_000, (options.retryMs ?? 250) * 2 ** Math.min(failures++, 5));
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
  };

  const connect = async () => {
    const next = new pg.Client({ ...options.client, keepAlive: true });
    client = next;
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      const { rows } = await next.query<{ schema: string }>('SELECT current_schema() AS schema');
      const schema = rows[0]?.schema;
      next.on('notification', (message) => {
        if (message.channel === KEY_CHANGE_CHANNEL && message.payload === schema) listener.changed();
      });
      await next.query(`LISTEN ${KEY_CHANGE_CHANNEL}`);
      if (closed || client !== next) return;
      failures = 0;
      // Changes made while nobody listened are unknown: start from an empty cache.
      listener.changed();
      listener.live?.(true);
    } catch (error) {
      lost(next, error as Error);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      current?.removeAllListeners();
      current?.on('error', () => undefined);
      await current?.end().catch(() => undefined);
    },
  };
}

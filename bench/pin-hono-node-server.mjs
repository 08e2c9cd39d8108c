// Module resolve hook (see portkey-server.mjs): the gateway's imports of @hono/node-server resolve from the
// project root, i.e. to the pinned top-level copy, instead of the gateway's nested one.
const PINNED = ['@hono/node-server'];
const ROOT = new URL('../package.json', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const pinned = PINNED.some((name) => specifier === name || specifier.startsWith(`${name}/`));
  if (pinned && context.parentURL?.includes('/@portkey-ai/gateway/')) {
    return nextResolve(specifier, { ...context, parentURL: ROOT });
  }
  return nextResolve(specifier, context);
}

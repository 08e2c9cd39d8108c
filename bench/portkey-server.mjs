// Column (e): Portkey's gateway, started the way its own `start-server.js --port=N --headless` starts it, but with
// `@hono/node-server` resolved to the version this project pins (1.13.5). npm installs the gateway's own newer copy
// (1.19.x) under node_modules/@portkey-ai/gateway/node_modules, and with that copy every streamed response fails
// ("TypeError: immutable" when the gateway appends headers to the upstream fetch Response).
// Usage: node bench/portkey-server.mjs --port=N --headless
import { register } from 'node:module';

register('./pin-hono-node-server.mjs', import.meta.url);
await import(new URL('../node_modules/@portkey-ai/gateway/build/start-server.js', import.meta.url).href);

import { METHODS } from 'node:http';
import express from 'express';

// The routes an app really serves, read from Express' router after createApp() built it, so route-driven
// tests (the auth attack list) cover routes added later without anyone updating a list.

export interface AppRoute {
  method: string;
  /** Express path pattern, e.g. '/api/v1/keys/:id' or '/api/v1/models/*name'. */
  path: string;
}

interface RouterLike {
  stack?: LayerLike[];
}
interface LayerLike {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: RouterLike;
}

type Init = (this: express.Application) => void;
const apps: express.Application[] = [];
const application = express.application as unknown as { init: Init };
const originalInit = application.init;

/** From now on, remembers every Express app created (createApp calls express() once). */
export function recordExpressApps(): void {
  if (application.init !== originalInit) return;
  application.init = function init(this: express.Application) {
    apps.push(this);
    originalInit.call(this);
  };
}

export function lastExpressApp(): express.Application {
  const app = apps.at(-1);
  if (!app) throw new Error('no Express app recorded: call recordExpressApps() before creating the app');
  return app;
}

const ALL_METHODS = METHODS.length;

/** Every method + path registered on the app, nested routers included. */
export function routesOf(app: express.Application): AppRoute[] {
  const routes: AppRoute[] = [];
  const walk = (router: RouterLike | undefined) => {
    for (const layer of router?.stack ?? []) {
      // app.all() registers every method: those are the 405 answers for known paths, not routes of their own.
      if (layer.route && Object.keys(layer.route.methods).length >= ALL_METHODS) continue;
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods)) for (const path of paths) routes.push({ method: method.toUpperCase(), path });
      } else if (layer.handle?.stack) {
        walk(layer.handle);
      }
    }
  };
  walk((app as unknown as { router: RouterLike }).router);
  return routes;
}

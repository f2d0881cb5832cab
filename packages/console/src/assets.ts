import { readFileSync } from 'node:fs';

const TYPES: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The console's own script, style and icon, read once from the package (`assets/`): nothing is fetched from elsewhere. */
const ASSETS = new Map(
  Object.entries(TYPES).map(([name, type]) => [name, { type, body: readFileSync(new URL(`../assets/${name}`, import.meta.url)) }] as const),
);

export function serveAsset(name: string): Response {
  const asset = ASSETS.get(name);
  if (asset === undefined) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return new Response(new Uint8Array(asset.body), { headers: { 'content-type': asset.type, 'cache-control': 'no-cache' } });
}

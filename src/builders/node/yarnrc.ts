// Yarn berry's registry settings (.yarnrc.yml) as npm's (.npmrc), so an install lambda-pack runs
// with npm for a yarn project reaches the same registries with the same tokens. `${VAR}`
// references stay references: npm expands them from the environment (passEnv) in the container.
import { parse } from 'yaml';
import { record } from './lockfile-model.js';

function hostOf(url: string): string {
  return url.replace(/^https?:/, '').replace(/\/?$/, '/');
}

export function yarnrcToNpmrc(text: string): string {
  let doc: Record<string, unknown>;
  try { doc = record(parse(text)); } catch { return ''; }
  const lines: string[] = [];
  const server = typeof doc.npmRegistryServer === 'string' ? doc.npmRegistryServer : undefined;
  if (server) lines.push(`registry=${server}`);
  const auth = (url: string | undefined, entry: Record<string, unknown>) => {
    const target = hostOf(url ?? server ?? 'https://registry.yarnpkg.com');
    if (typeof entry.npmAuthToken === 'string') lines.push(`${target}:_authToken=${entry.npmAuthToken}`);
    if (typeof entry.npmAuthIdent === 'string') lines.push(`${target}:_auth=${entry.npmAuthIdent}`);
  };
  auth(server, doc);
  for (const [scope, raw] of Object.entries(record(doc.npmScopes))) {
    const entry = record(raw);
    const url = typeof entry.npmRegistryServer === 'string' ? entry.npmRegistryServer : undefined;
    if (url) lines.push(`@${scope.replace(/^@/, '')}:registry=${url}`);
    auth(url, entry);
  }
  for (const [url, raw] of Object.entries(record(doc.npmRegistries))) auth(url, record(raw));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

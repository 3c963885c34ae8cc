#!/usr/bin/env node
// Writes ui/public/licenses.json: the name, version and licence of every third-party Rust crate
// the desktop app links (normal dependencies of tandem-app, for every target platform) and
// every npm package bundled into its UI (non-dev entries of ui/package-lock.json). The About
// view lists it. Run by `make ui`; deterministic, so a rebuild gives the same file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function crates() {
  const out = execFileSync('cargo', ['metadata', '--format-version', '1', '--locked'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const meta = JSON.parse(out);
  const byId = new Map(meta.packages.map((p) => [p.id, p]));
  const members = new Set(meta.workspace_members);
  const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]));
  const app = meta.packages.find((p) => p.name === 'tandem-app');
  if (!app) throw new Error('cargo metadata: no tandem-app package');
  // Walk normal (linked) dependencies only: build scripts and dev tools are not shipped.
  const seen = new Set();
  const todo = [app.id];
  while (todo.length > 0) {
    const id = todo.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    for (const dep of nodes.get(id)?.deps ?? []) {
      if (dep.dep_kinds.some((k) => k.kind === null)) todo.push(dep.pkg);
    }
  }
  return [...seen]
    .filter((id) => !members.has(id))
    .map((id) => byId.get(id))
    .map((p) => ({
      name: p.name,
      version: p.version,
      license: p.license ?? (p.license_file ? `see ${p.license_file.split('/').pop()}` : 'unknown'),
      source: p.repository ?? `https://crates.io/crates/${p.name}`,
    }));
}

function npmPackages() {
  const lock = JSON.parse(readFileSync(join(root, 'ui', 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages ?? {})
    .filter(([path, p]) => path.startsWith('node_modules/') && p.dev !== true && p.devOptional !== true)
    .map(([path, p]) => {
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      return {
        name,
        version: p.version ?? '',
        license: typeof p.license === 'string' ? p.license : 'unknown',
        source: `https://www.npmjs.com/package/${name}`,
      };
    });
}

function sorted(list) {
  const key = (x) => `${x.name}@${x.version}`;
  const unique = new Map(list.map((x) => [key(x), x]));
  return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const file = join(root, 'ui', 'public', 'licenses.json');
mkdirSync(dirname(file), { recursive: true });
const result = { rust: sorted(crates()), npm: sorted(npmPackages()) };
writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
console.error(`licenses.json: ${result.rust.length} crates, ${result.npm.length} npm packages`);

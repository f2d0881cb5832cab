#!/usr/bin/env node
// Checks that the packages can be published as they stand: the manifests agree with each other, the
// built output is fresh, and the tarballs — not the workspace links — install into a new project where
// the README's examples typecheck (strict, skipLibCheck: false, NodeNext and Bundler resolution) and
// run, and where `npx usher` works. Expects a build (`npm run build`); it never rebuilds, so that it
// can run beside tests that use the build.
//
//   node scripts/release-check.mjs [--json] [--keep]
//
// --json prints a summary (each tarball's files and size) on standard output; --keep leaves the
// temporary project in place. Progress goes to standard error. Exit 0: ready to publish; 1: not.
import { execFile, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
const run = promisify(execFile);
const say = (line) => process.stderr.write(`release:check ${line}\n`);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

class CheckFailed extends Error {}
const problems = [];
const expect = (condition, problem) => {
  if (!condition) problems.push(problem);
};
const stopOnProblems = (stage) => {
  if (problems.length > 0) throw new CheckFailed(`${stage}:\n  - ${problems.join('\n  - ')}`);
};

/** What the new project runs with: the environment of a user, without this repository's own settings (USHER_PG_URL would turn `usher serve` to PostgreSQL). */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('USHER_')));

async function sh(command, args, options = {}) {
  try {
    return await run(command, args, { maxBuffer: 64 * 1024 * 1024, env: userEnv, ...options });
  } catch (error) {
    throw new CheckFailed(`${command} ${args.join(' ')} failed (exit ${error.code}):\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

/** Every file below `directory`, as paths relative to it. */
function walk(directory, prefix = '') {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(directory, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

async function main() {
  // 1. The manifests: one version, exact internal versions, types first, what a registry needs.
  const root = readJson(join(ROOT, 'package.json'));
  const packages = root.workspaces.map((path) => ({ path, manifest: readJson(join(ROOT, path, 'package.json')) }));
  for (const { path, manifest } of packages) {
    const name = manifest.name;
    expect(manifest.version === root.version, `${name} is at ${manifest.version}, the repository at ${root.version}: one version for all`);
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      if (dependency.startsWith('@usher/')) expect(range === root.version, `${name} depends on ${dependency}@${range}, not ${root.version}`);
    }
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === 'object') expect(Object.keys(target)[0] === 'types', `${name} exports["${subpath}"] does not list "types" first`);
    }
    expect(manifest.license === root.license, `${name} has license ${manifest.license}, the repository ${root.license}`);
    expect(manifest.engines?.node === root.engines.node, `${name} declares engines.node ${manifest.engines?.node}`);
    expect(
      manifest.repository?.url === root.repository.url && manifest.repository?.directory === path,
      `${name} has no repository { url: ${root.repository.url}, directory: ${path} }`,
    );
    expect(Array.isArray(manifest.files) && manifest.files.includes('dist'), `${name} does not ship dist`);
    for (const file of ['README.md', 'LICENSE']) expect(existsSync(join(ROOT, path, file)), `${name} has no ${file}`);
    // Stale output (a module whose source is gone) would be published too.
    const dist = join(ROOT, path, 'dist');
    expect(existsSync(dist), `${name} is not built: run npm run build`);
    if (existsSync(dist)) {
      for (const file of walk(dist).filter((file) => file.endsWith('.js'))) {
        const source = join(ROOT, path, 'src', file.replace(/\.js$/, ''));
        expect(existsSync(`${source}.ts`) || existsSync(`${source}.tsx`), `${name} dist/${file} has no source: clean dist and rebuild`);
      }
    }
  }
  stopOnProblems('the manifests');
  say(`manifests of ${packages.length} packages agree (version ${root.version})`);

  // 2. The tarballs: what they hold, and that a source map never points at a file left out.
  const work = mkdtempSync(join(tmpdir(), 'usher-release-'));
  try {
    await inProject(work, packages, root);
  } finally {
    if (flags.keep) say(`kept ${relative(process.cwd(), work) || work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** Everything from packing on, in the temporary folder `work`. */
async function inProject(work, packages, root) {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = JSON.parse(
    (await sh('npm', ['pack', '--json', '--pack-destination', tarballs, ...packages.flatMap(({ path }) => ['--workspace', path])], { cwd: ROOT }))
      .stdout,
  );
  for (const tarball of packed) {
    const files = new Set(tarball.files.map((file) => file.path));
    for (const file of files) {
      expect(!/(^|\/)(test|tests|__tests__)\/|\.test\.|\.spec\.|tsbuildinfo$/.test(file), `${tarball.name} ships ${file}`);
      if (!file.endsWith('.map')) continue;
      const packageDir = packages.find(({ manifest }) => manifest.name === tarball.name)?.path ?? '';
      const map = readJson(join(ROOT, packageDir, file));
      for (const source of map.sources) {
        const target = join(dirname(file), source).replaceAll('\\', '/');
        expect(files.has(target), `${tarball.name} ${file} points at ${target}, which it does not ship`);
      }
    }
  }
  stopOnProblems('the tarballs');
  say(`packed ${packed.map((tarball) => `${tarball.filename} (${tarball.size} bytes)`).join(', ')}`);

  // 3. A new project that installs the tarballs, as an embedder's would.
  const project = join(work, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'usher-embedder',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(packed.map((tarball) => [tarball.name, `file:../tarballs/${tarball.filename}`])),
        devDependencies: { typescript: root.devDependencies.typescript, '@types/node': root.devDependencies['@types/node'] },
      },
      null,
      2,
    )}\n`,
  );
  say('installing the tarballs into a new project (builds the SQLite driver)');
  await sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project });

  // 4. The README's examples, typechecked strictly under both resolutions, then run.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  const example = (marker) => {
    const found = blocks.find((block) => block.includes(marker));
    if (found === undefined) throw new CheckFailed(`the README has no example with ${marker}`);
    return found;
  };
  const examples = {
    embedding: example('rooms.joinCall('),
    stores: example('createMemoryStore()'),
    mounting: example('createHttpHandler('),
  };
  for (const [name, source] of Object.entries(examples)) writeFileSync(join(project, 'src', `${name}.ts`), source);
  // Each package's README example is typechecked too (not run: some need a database).
  for (const { path, manifest } of packages) {
    const own = [...readFileSync(join(ROOT, path, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    own.forEach((source, index) => {
      writeFileSync(join(project, 'src', `readme-${manifest.name.replace('@usher/', '')}-${index}.ts`), `${source}\nexport {};\n`);
    });
  }
  const compilerOptions = { strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2023'], types: ['node'] };
  const tsconfigs = {
    'tsconfig.nodenext.json': { ...compilerOptions, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist', rootDir: 'src' },
    'tsconfig.bundler.json': { ...compilerOptions, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
  };
  for (const [file, options] of Object.entries(tsconfigs)) {
    writeFileSync(join(project, file), `${JSON.stringify({ compilerOptions: options, include: ['src'] }, null, 2)}\n`);
    await sh(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', file], { cwd: project });
    say(`the examples typecheck with ${file}`);
  }

  const scratch = join(project, 'scratch');
  mkdirSync(scratch);
  const embedded = await sh(process.execPath, [join(project, 'dist', 'embedding.js')], { cwd: scratch });
  const lines = embedded.stdout.trim().split('\n');
  expect(
    JSON.stringify(lines) === JSON.stringify(['true', 'NotInvited', 'created', 'replayed']),
    `the embedding example printed ${JSON.stringify(lines)}`,
  );
  await sh(process.execPath, [join(project, 'dist', 'stores.js')], { cwd: scratch });
  stopOnProblems('the embedding examples');
  say('the embedding examples run');

  const freePort = () =>
    new Promise((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });

  /**
   * Starts a long-running command in a process group of its own and waits until `ready` matches what
   * it printed; `stop()` sends SIGTERM to the command (or, `group`, to the whole group) and answers its exit code.
   */
  function start(command, args, options, ready) {
    const child = spawn(command, args, { env: userEnv, ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let running = true;
    let output = '';
    const exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        running = false;
        resolve(code);
      }),
    );
    const started = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckFailed(`${args.join(' ')} did not start:\n${output}`)), 60_000);
      const onData = (chunk) => {
        output += chunk.toString();
        const match = ready.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      exited.then((code) => reject(new CheckFailed(`${args.join(' ')} exited with ${code}:\n${output}`)));
    });
    started.catch(() => undefined);
    const stop = ({ group = false } = {}) => {
      if (running && group) process.kill(-child.pid, 'SIGTERM');
      else if (running) child.kill('SIGTERM');
      return exited;
    };
    return { started, stop, exited, output: () => output };
  }

  /** Waits until `url` answers, or the process behind it has exited. */
  async function listening(url, server) {
    let gone = false;
    server.exited.then(() => {
      gone = true;
    });
    for (let attempt = 0; attempt < 600; attempt += 1) {
      if (gone) throw new CheckFailed(`the server exited before it answered ${url}:\n${server.output()}`);
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new CheckFailed(`nothing answered ${url}:\n${server.output()}`);
  }

  /** A request signed as the ACS SDKs sign (the check must not lean on the packages it checks). */
  function signedGet(url, key) {
    const date = new Date().toUTCString();
    const hash = createHash('sha256').update('').digest('base64');
    const target = `${url.pathname}${url.searchParams.toString() === '' ? '' : `?${url.searchParams.toString()}`}`;
    const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(`GET\n${target}\n${date};${url.host};${hash}`).digest('base64');
    return fetch(url, {
      headers: {
        'x-ms-date': date,
        'x-ms-content-sha256': hash,
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
      },
    });
  }

  const key = Buffer.alloc(32, 42).toString('base64');
  const port = await freePort();
  const mounted = start(
    process.execPath,
    [join(project, 'dist', 'mounting.js')],
    { cwd: scratch, env: { ...userEnv, PORT: String(port), ROOMS_KEY: key } },
    /$^/,
  );
  try {
    await listening(`http://127.0.0.1:${port}/healthz`, mounted);
    const answer = await signedGet(new URL(`http://127.0.0.1:${port}/rooms?api-version=2025-03-13`), key);
    expect(answer.status === 200, `the mounted API answered a signed GET /rooms with ${answer.status}`);
  } finally {
    await mounted.stop();
  }
  stopOnProblems('the mounting example');
  say('the mounting example serves signed requests');

  // 5. The CLI as a tool: npx usher --help, npx usher serve.
  const help = await sh('npx', ['--no-install', 'usher', '--help'], { cwd: project });
  expect(/serve/.test(help.stdout) && /audit/.test(help.stdout), `npx usher --help printed:\n${help.stdout}`);
  const served = start(
    'npx',
    ['--no-install', 'usher', 'serve', '--port', '0', '--db', join(scratch, 'cli.db')],
    { cwd: project },
    /endpoint=(\S+);/,
  );
  try {
    const [, endpoint] = await served.started;
    const health = await fetch(new URL('/healthz', endpoint));
    expect(health.status === 200, `npx usher serve answered /healthz with ${health.status}`);
  } finally {
    // npm exec does not pass SIGTERM on to the command it runs: the whole group is stopped.
    await served.stop({ group: true });
  }
  // Under a supervisor the binary is run directly, and SIGTERM stops it cleanly.
  const direct = start(
    join(project, 'node_modules', '.bin', 'usher'),
    ['serve', '--port', '0', '--db', join(scratch, 'cli.db')],
    { cwd: project },
    /endpoint=(\S+);/,
  );
  const [, endpoint] = await direct.started;
  expect((await fetch(new URL('/healthz', endpoint))).status === 200, 'node_modules/.bin/usher serve did not answer /healthz');
  const code = await direct.stop();
  expect(code === 0 && /SIGTERM: shutting down/.test(direct.output()), `usher serve stopped with exit code ${code} on SIGTERM:\n${direct.output()}`);
  stopOnProblems('the CLI');
  say('npx usher --help, npx usher serve, and a clean SIGTERM of usher serve work');

  const summary = {
    ok: true,
    version: root.version,
    tarballs: packed.map((tarball) => ({
      name: tarball.name,
      filename: tarball.filename,
      size: tarball.size,
      unpackedSize: tarball.unpackedSize,
      files: tarball.files.map((file) => file.path),
    })),
  };
  if (flags.json) console.log(JSON.stringify(summary));
  else for (const tarball of summary.tarballs) console.log(`${tarball.filename}: ${tarball.size} bytes, ${tarball.files.length} files`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof CheckFailed)) throw error;
  say(`FAILED: ${error.message}`);
  if (flags.json) console.log(JSON.stringify({ ok: false, message: error.message }));
  process.exitCode = 1;
}

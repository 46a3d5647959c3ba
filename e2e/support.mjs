// Helpers of the browser journeys: a real `dosiport serve --demo` on a free
// port of 127.0.0.1, its outbox read like a mailbox, headless Chromium, and
// an accessibility check of every page with axe-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
export const screensDir = join(here, '..', 'docs', 'screens');

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the portal with its demo batch; resolves once it listens. */
export async function startPortal() {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'dosiport-e2e-'));
  const binary = process.env.DOSIPORT_BIN;
  assert.ok(binary, 'DOSIPORT_BIN names the dosiport binary');
  const child = spawn(binary, ['serve', '--demo'], {
    cwd: data,
    env: { ...process.env, DOSIPORT_DATA_DIR: data, DOSIPORT_LISTEN: `127.0.0.1:${port}`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('listens on')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`dosiport exited with ${code}: ${out}`)));
  });
  const codes = [...out.matchAll(/code (\S+)\s+report (\S+)/g)].map((m) => ({ code: m[1], report: m[2] }));
  return { base: `http://localhost:${port}`, data, codes, stop: () => child.kill('SIGKILL') };
}

/** The newest email to `to` whose text holds `pattern`, as the mailbox shows it. */
export async function latestEmail(portal, to, pattern) {
  const outbox = join(portal.data, 'outbox');
  for (let attempt = 0; attempt < 100; attempt++) {
    let files = [];
    try {
      files = readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort().reverse();
    } catch {}
    for (const file of files) {
      const raw = readFileSync(join(outbox, file), 'utf8');
      const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      if (text.toLowerCase().includes(`to: ${to}`.toLowerCase()) && pattern.test(text)) {
        return text.match(pattern)[0];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email to ${to} matching ${pattern}`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A browser page; the CSP is bypassed only so that axe can be injected. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 }, ...options });
  return context.newPage();
}

/** Fails on any WCAG 2.1 AA violation of the page, and records a screenshot. */
export async function checkPage(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const problems = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(problems, [], `${name}: accessibility violations`);
  assert.ok(!(await page.content()).includes('⟦missing message⟧'), `${name}: a message is missing`);
  const file = join(screensDir, `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

// Helpers of the browser journeys: a real `dosiport serve --demo` on a free
// port of 127.0.0.1 reached as localhost, its outbox read like a mailbox,
// headless Chromium with a virtual passkey authenticator, an authenticator
// app's codes, and an accessibility check of every page with axe-core.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
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
  const problems = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join(', ')})`);
  assert.deepEqual(problems, [], `${name}: accessibility violations`);
  assert.ok(!(await page.content()).includes('⟦missing message⟧'), `${name}: a message is missing`);
  const file = join(screensDir, `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

/** Gives the page's browser a passkey authenticator that says yes at once. */
export async function addVirtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
}

const STEP_MS = 30_000;

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let value = 0;
  let bits = 0;
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const digit = alphabet.indexOf(c);
    assert.ok(digit >= 0, `base32 digit ${c}`);
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
      value &= (1 << bits) - 1;
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step an authenticator app is in now. */
export function appStep() {
  return Math.floor(Date.now() / STEP_MS);
}

/** The 6 digits an authenticator app shows for a base32 secret in a step (RFC 6238). */
export function appCode(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(at) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

/** The app's code of a step after `used` (waiting for one if need be), as a person would type it. */
export async function freshAppCode(secret, used) {
  while (appStep() <= used) {
    await new Promise((r) => setTimeout(r, (used + 1) * STEP_MS - Date.now() + 50));
  }
  const step = appStep();
  return { step, code: appCode(secret, step) };
}

/** Fails if the page scrolls sideways on a 360 px wide phone; checks and shoots it there under `shot` if given. */
export async function assertFitsPhone(page, name, shot) {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${name}: no horizontal scrolling on a phone (${width} px)`);
    if (shot) await checkPage(page, shot);
  } finally {
    await page.setViewportSize(viewport);
  }
}

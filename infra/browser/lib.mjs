// What every browser test shares: a real `frontdesk serve` on a free port with its own data
// folder, the `frontdesk` command against it, a Twilio stand-in that records what Frontdesk
// sends, chromium at 360 px, and signing in through a link from another page.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const TOKEN = 'browser-test-auth-token';
export const ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const DEMO_NUMBER = '+97233334444';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url) {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/** Twilio's REST API as Frontdesk uses it: every request is kept (`requests`), each answered
 * like Twilio would (a message or a call resource, 201). */
export async function twilioStandIn() {
  const requests = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method, path: req.url, form });
      n += 1;
      const sid = req.url.includes('/Calls')
        ? `CA${String(n).padStart(32, '0')}`
        : `SM${String(n).padStart(32, '0')}`;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid, status: 'queued', to: form.To, from: form.From }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, requests, close: () => server.close() };
}

/** `frontdesk serve` (embedded backends, local stage) with its own data folder, and the
 * `frontdesk` command against the same folder. `extraEnv` adds settings (a stand-in's URL). */
export async function startFrontdesk(extraEnv = {}) {
  const bin = process.env.FRONTDESK_BIN;
  assert.ok(bin, 'FRONTDESK_BIN names the frontdesk binary');
  const data = mkdtempSync(join(tmpdir(), 'frontdesk-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    FRONTDESK_DATA_DIR: data,
    TWILIO_AUTH_TOKEN: TOKEN,
    FRONTDESK_STAGE: 'local',
    RUST_LOG: 'warn',
    ...extraEnv,
  };
  delete env.PUBLIC_BASE_URL;
  const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(`${base}/health`);
  const frontdesk = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });
  return {
    base,
    data,
    env,
    frontdesk,
    /** A completed inbound call to `to` from `from`, sent as Twilio would (signed). */
    call(sid, from, { to = DEMO_NUMBER, name, duration = 31 } = {}) {
      const parties = ['--to', to, '--from', from, '--call-sid', sid, '--base', base];
      const extra = name === undefined ? [] : ['--param', `CallerName=${name}`];
      const twiml = frontdesk('simulate', 'call', ...parties, ...extra);
      frontdesk('simulate', 'status', ...parties, '--status', 'completed', '--param', `CallDuration=${duration}`);
      return twiml;
    },
    /** A one-time sign-in link to `business`'s inbox. */
    link(business = 'demo') {
      const link = frontdesk('inbox', 'link', business, '--data-dir', data, '--base-url', base).trim();
      assert.match(link, /\/inbox\/login\?token=/);
      return link;
    },
    stop() {
      server.kill();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

/** A 360 px wide page signed in through `link`, followed from another page as from a mail or
 * chat app (the SameSite=Strict session cookie must still reach /inbox). */
export async function signIn(browser, link) {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.setContent(`<a id="link" href="${link}">sign in</a>`);
  await page.click('#link');
  await page.waitForURL((url) => url.pathname === '/inbox');
  await page.waitForLoadState();
  return page;
}

/** How many pixels the page is wider than the screen (0 or less: no horizontal scroll). */
export function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Runs `body(ctx)` with a started Frontdesk and chromium, and always cleans both up. */
export async function withInbox(extraEnv, body) {
  const frontdesk = await startFrontdesk(extraEnv);
  let browser;
  try {
    browser = await launch();
    await body({ frontdesk, browser });
  } finally {
    if (browser) await browser.close();
    frontdesk.stop();
  }
}

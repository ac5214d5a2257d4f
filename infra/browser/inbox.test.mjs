// The owner's inbox in a real browser (Debian's chromium, driven by playwright-core): the real
// `frontdesk serve`, two signed calls to the demo clinic sent by `frontdesk simulate`, and a
// sign-in link printed by `frontdesk inbox link demo`, followed from another page. The owner
// signs in, sees the calls at 360 px without horizontal scroll, a caller's markup shown as
// text, and marks a call handled.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const bin = process.env.FRONTDESK_BIN;
assert.ok(bin, 'FRONTDESK_BIN names the frontdesk binary');
const TOKEN = 'browser-test-auth-token';
const DEMO_NUMBER = '+97233334444';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url) {
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

const data = mkdtempSync(join(tmpdir(), 'frontdesk-browser-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, FRONTDESK_DATA_DIR: data, TWILIO_AUTH_TOKEN: TOKEN, FRONTDESK_STAGE: 'local', RUST_LOG: 'warn' };
delete env.PUBLIC_BASE_URL;
const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
let browser;
try {
  await waitFor(`${base}/health`);
  const frontdesk = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });
  const call = (sid, from, name) => {
    const parties = ['--to', DEMO_NUMBER, '--from', from, '--call-sid', sid, '--base', base];
    frontdesk('simulate', 'call', ...parties, '--param', `CallerName=${name}`);
    frontdesk('simulate', 'status', ...parties, '--status', 'completed', '--param', 'CallDuration=31');
  };
  call('CA00000000000000000000000000000b01', '+972501234567', 'Dana Levi');
  call('CA00000000000000000000000000000b02', '+972507654321', '<script>window.pwned=1</script>');
  const link = frontdesk('inbox', 'link', 'demo', '--data-dir', data, '--base-url', base).trim();
  assert.match(link, /\/inbox\/login\?token=/);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  // The link is followed from another site, as from a mail or chat app: the session cookie
  // (SameSite=Strict) must still reach /inbox.
  await page.setContent(`<a id="link" href="${link}">sign in</a>`);
  await page.click('#link');
  await page.waitForURL((url) => url.pathname === '/inbox');
  await page.waitForLoadState();
  assert.equal(new URL(page.url()).pathname, '/inbox', 'the link lands on the inbox');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl', 'the demo clinic speaks Hebrew');
  assert.equal(await page.locator('article').count(), 2, 'both calls are listed');

  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `no horizontal scroll at 360 px (${overflow} px too wide)`);

  assert.equal(await page.evaluate(() => window.pwned), undefined, 'a caller name never runs');
  assert.equal(await page.locator('script').count(), 0, 'no script element in the page');
  const names = await page.locator('article h2').allTextContents();
  assert.ok(names.some((name) => name.includes('<script>')), `the markup is shown as text: ${names}`);

  const newest = page.locator('article').first();
  assert.equal(await newest.locator('.open').count(), 1, 'it needs a call back');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/inbox'),
    newest.locator('button').click(),
  ]);
  await page.waitForLoadState();
  assert.equal(await page.locator('article').first().locator('.handled').count(), 1, 'marked handled');
  assert.equal(await page.locator('article .open').count(), 1, 'the other still needs a call back');
  console.log('inbox in chromium: signed in, 2 calls at 360 px, markup as text, one marked handled');
} finally {
  if (browser) await browser.close();
  server.kill();
  rmSync(data, { recursive: true, force: true });
}

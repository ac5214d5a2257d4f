// The owner's inbox in a real browser (Debian's chromium, driven by playwright-core): the real
// `frontdesk serve` with the demo clinic's seeded calls, two more signed calls sent by
// `frontdesk simulate`, and a sign-in link printed by `frontdesk inbox link demo`, followed from
// another page. The owner signs in, sees the calls at 360 px without horizontal scroll, plays
// the demo voicemail, sees a caller's markup shown as text, and marks a call handled.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { overflow, signIn, withInbox } from './lib.mjs';

await withInbox({}, async ({ frontdesk, browser }) => {
  frontdesk.call('CA00000000000000000000000000000b01', '+972501234567', { name: 'Dana Levi' });
  frontdesk.call('CA00000000000000000000000000000b02', '+972507654321', { name: '<script>window.pwned=1</script>' });
  const page = await signIn(browser, frontdesk.link('demo'));
  assert.equal(new URL(page.url()).pathname, '/inbox', 'the link lands on the inbox');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl', 'the demo clinic speaks Hebrew');
  assert.equal(await page.locator('article').count(), 5, 'the demo clinic\'s 3 calls and the 2 new ones');

  // The demo voicemail plays in the page, from the signed local link (S3's presigned one on AWS).
  const audio = page.locator('article[data-call="CAdemo00000000000000000000000003"] audio');
  const duration = await audio.evaluate(
    (element) =>
      new Promise((resolve, reject) => {
        element.addEventListener('loadedmetadata', () => resolve(element.duration));
        element.addEventListener('error', () => reject(new Error(`audio error ${element.error?.code}`)));
        element.preload = 'metadata';
        element.load();
      }),
  );
  assert.ok(duration > 0, `the recording reports a duration (${duration} s)`);

  const wider = await overflow(page);
  assert.ok(wider <= 0, `no horizontal scroll at 360 px (${wider} px too wide)`);

  assert.equal(await page.evaluate(() => window.pwned), undefined, 'a caller name never runs');
  const scripts = await page.locator('script').evaluateAll((all) => all.map((s) => [s.src, s.text]));
  assert.deepEqual(scripts.map(([src, text]) => [new URL(src).pathname, text]), [['/inbox/app.js', '']], 'only the inbox\'s own script');
  const names = await page.locator('article h2').allTextContents();
  assert.ok(names.some((name) => name.includes('<script>')), `the markup is shown as text: ${names}`);

  // A call that comes in while the page is open appears on top without a reload.
  assert.equal(await page.locator('[data-live="on"]').count(), 1, 'the list is live');
  frontdesk.call('CA00000000000000000000000000000b03', '+972509998877', { name: 'Live Caller' });
  const loads = [];
  page.on('load', () => loads.push(page.url()));
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.locator('article[data-call="CA00000000000000000000000000000b03"]').waitFor();
  assert.equal(await page.locator('article').count(), 6, 'the new call is added, none doubled');
  assert.equal(await page.locator('article').first().getAttribute('data-call'), 'CA00000000000000000000000000000b03');
  assert.deepEqual(loads, [], 'without reloading the page');
  assert.match(await page.title(), /^\(1\) /, 'the tab says how many are new');

  const newest = page.locator('article').first();
  assert.equal(await newest.locator('.open').count(), 1, 'it needs a call back');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/inbox'),
    newest.locator('button').click(),
  ]);
  await page.waitForLoadState();
  assert.equal(await page.locator('article').first().locator('.handled').count(), 1, 'marked handled');
  assert.equal(await page.locator('article .open').count(), 5, 'the others still need a call back');
  console.log(`inbox in chromium: signed in, 5 calls at 360 px, a 6th live, a ${duration.toFixed(1)} s voicemail, markup as text, one marked handled`);
});

// The owner's inbox in a real browser (Debian's chromium, driven by playwright-core): the real
// `frontdesk serve`, two signed calls to the demo clinic sent by `frontdesk simulate`, and a
// sign-in link printed by `frontdesk inbox link demo`, followed from another page. The owner
// signs in, sees the calls at 360 px without horizontal scroll, a caller's markup shown as
// text, and marks a call handled.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { overflow, signIn, withInbox } from './lib.mjs';

await withInbox({}, async ({ frontdesk, browser }) => {
  frontdesk.call('CA00000000000000000000000000000b01', '+972501234567', { name: 'Dana Levi' });
  frontdesk.call('CA00000000000000000000000000000b02', '+972507654321', { name: '<script>window.pwned=1</script>' });
  const page = await signIn(browser, frontdesk.link('demo'));
  assert.equal(new URL(page.url()).pathname, '/inbox', 'the link lands on the inbox');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl', 'the demo clinic speaks Hebrew');
  assert.equal(await page.locator('article').count(), 2, 'both calls are listed');

  const wider = await overflow(page);
  assert.ok(wider <= 0, `no horizontal scroll at 360 px (${wider} px too wide)`);

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
});

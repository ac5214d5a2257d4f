// Finding a customer or a word in a real browser (chromium at 360 px, the real `frontdesk serve`,
// calls sent by `frontdesk simulate`): the owner signs in, opens the customers list, searches a
// word from a caller's name and finds the call, then searches a number and lands on that
// customer's timeline (only its address is checked). No page scrolls sideways.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { overflow, signIn, withInbox } from './lib.mjs';

const DANA = 'CA00000000000000000000000000000f01';

async function noSidewaysScroll(page, what) {
  const wider = await overflow(page);
  assert.ok(wider <= 0, `${what}: no horizontal scroll at 360 px (${wider} px too wide)`);
}

async function search(page, words) {
  await page.locator('input[name="q"]').fill(words);
  await Promise.all([page.waitForNavigation(), page.locator('form[role="search"] button').click()]);
}

await withInbox({}, async ({ frontdesk, browser }) => {
  frontdesk.call(DANA, '+972501234567', { name: 'Dana Levi' });
  frontdesk.call('CA00000000000000000000000000000f02', '+972507654321', { name: '<script>window.pwned=1</script>' });
  const page = await signIn(browser, frontdesk.link('demo'));

  await page.goto(`${frontdesk.base}/inbox/customers`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  const customers = await page.locator('article[data-customer]').evaluateAll((rows) => rows.map((r) => r.dataset.customer));
  assert.deepEqual(customers.slice(0, 2), ['+972507654321', '+972501234567'], 'the latest caller first');
  assert.ok(customers.includes('+972521234567'), `the seeded demo customers follow: ${customers}`);
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'a caller name never runs');
  await noSidewaysScroll(page, 'the customers list');

  await search(page, 'LEVI');
  const searched = new URL(page.url());
  assert.equal(searched.pathname, '/inbox/search');
  assert.equal(searched.searchParams.get('q'), 'LEVI');
  const hits = page.locator('article[data-hit]');
  assert.equal(await hits.count(), 1, 'one call has the word');
  assert.equal(await hits.first().getAttribute('data-hit'), DANA);
  assert.equal(new URL(await hits.first().locator('h2 a').getAttribute('href')).pathname, `/inbox/calls/${DANA}`);
  await noSidewaysScroll(page, 'the search results');

  await search(page, '+972 50-123-4567');
  assert.equal(new URL(page.url()).pathname, '/inbox/customers/+972501234567', 'a number opens its timeline');
  console.log('find in chromium: customers newest first, a name found by a word, a number to its timeline, at 360 px');
});

// The week's appointments in a real browser (Debian's chromium, driven by playwright-core),
// against the real `frontdesk serve`: an appointment is booked at the demo booking clinic with
// `frontdesk appointments book`; its owner signs in, goes to the appointments from the header,
// sees it under its day, cancels it, sees it cancelled, and `frontdesk availability` offers its
// slot again. No horizontal scroll at 360 px.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { overflow, signIn, withInbox } from './lib.mjs';

const CLINIC = 'demo-booking';

await withInbox({}, async ({ frontdesk, browser }) => {
  const run = frontdesk.frontdesk;
  const free = () => JSON.parse(run('availability', CLINIC, '--days', '7', '--json')).slots.map((slot) => slot.start);
  // Tomorrow or later: a slot today could pass while the test runs.
  const today = new Date().toISOString().slice(0, 10);
  const start = free().find((slot) => slot.slice(0, 10) > today);
  assert.ok(start, 'a free slot this week');
  const booked = JSON.parse(
    run('appointments', 'book', CLINIC, '--service', 'checkup', '--start', start,
      '--phone', '+972501234567', '--name', '<i>Noa</i>', '--json'),
  );
  assert.ok(!free().includes(start), 'the slot is taken');

  const page = await signIn(browser, frontdesk.link(CLINIC));
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/inbox/appointments'),
    page.locator('nav.sections a[href$="/inbox/appointments"]').click(),
  ]);
  await page.waitForLoadState();
  const card = page.locator(`article[data-appointment="${booked.appointment_id}"]`);
  assert.equal(await card.count(), 1, 'the appointment is listed');
  assert.ok((await card.textContent()).includes('<i>Noa</i>'), 'the customer\'s name shown as text');
  assert.equal(await card.locator('i').count(), 0, 'never as markup');
  const wider = await overflow(page);
  assert.ok(wider <= 0, `no horizontal scroll at 360 px (${wider} px too wide)`);

  await Promise.all([
    page.waitForURL((url) => url.pathname === '/inbox/appointments' && url.searchParams.has('from')),
    card.locator('button').click(),
  ]);
  await page.waitForLoadState();
  const after = page.locator(`article[data-appointment="${booked.appointment_id}"]`);
  assert.equal(await after.getAttribute('class'), 'cancelled', 'shown as cancelled');
  assert.equal(await after.locator('button').count(), 0, 'nothing left to cancel');
  assert.ok(free().includes(start), 'the slot is free again');
  console.log(`appointments in chromium: ${start} booked, listed, cancelled from the page, free again`);
});

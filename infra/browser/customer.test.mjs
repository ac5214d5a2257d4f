// A customer's timeline in a real browser (Debian's chromium, driven by playwright-core),
// against the real `frontdesk serve` with Twilio's REST API stood in for. A customer calls the
// demo clinic and writes on WhatsApp (both sent signed by `frontdesk simulate`); the owner signs
// in, opens the caller's timeline from the calls list, replies on WhatsApp (the stand-in gets
// the message), calls back (the stand-in gets a Calls request ringing the owner's phone), and
// blocks the caller: the next `frontdesk simulate call` from that number answers <Reject/>. No
// horizontal scroll at 360 px on the timeline.
// Run by ./infra/browser.sh test (FRONTDESK_BIN names the built binary).

import assert from 'node:assert/strict';
import { ACCOUNT_SID, DEMO_NUMBER, overflow, signIn, twilioStandIn, withInbox } from './lib.mjs';

const CUSTOMER = '+972501234567';
const OWNER_PHONE = '+972541111111';

/** Clicks the submit button of the page's form posting to `…/{action}` and waits for the
 * customer's page to come back with `notice`. */
async function submit(page, action, notice) {
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('notice') === notice),
    page.locator(`form[action$="/${action}"] button`).click(),
  ]);
  await page.waitForLoadState();
}

const twilio = await twilioStandIn();
try {
  const env = { TWILIO_API_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID: ACCOUNT_SID };
  await withInbox(env, async ({ frontdesk, browser }) => {
    const run = frontdesk.frontdesk;
    run('business', 'update', 'demo', '--owner-phone', OWNER_PHONE);
    frontdesk.call('CA00000000000000000000000000000c01', CUSTOMER, { name: 'Dana Levi' });
    run('simulate', 'whatsapp', '--from', CUSTOMER, '--to', DEMO_NUMBER, '--base', frontdesk.base,
      '--body', 'אפשר לקבוע תור? <b>דחוף</b>');
    const page = await signIn(browser, frontdesk.link('demo'));

    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/inbox/customers/')),
      page.locator('article a.customer').first().click(),
    ]);
    await page.waitForLoadState();
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/inbox/customers/${CUSTOMER}`);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('article[data-call]').count(), 1, 'the call');
    assert.equal(await page.locator('article[data-message]').count(), 1, 'the WhatsApp message');
    const said = await page.locator('article[data-message] .text').textContent();
    assert.ok(said.includes('<b>דחוף</b>'), `the customer's markup shown as text: ${said}`);
    const wider = await overflow(page);
    assert.ok(wider <= 0, `no horizontal scroll at 360 px on the timeline (${wider} px too wide)`);

    const reply = 'נתראה מחר בעשר';
    await page.fill('#reply-body', reply);
    await submit(page, 'reply', 'sent');
    const messages = twilio.requests.filter((r) => r.path.endsWith('/Messages.json'));
    assert.equal(messages.length, 1, 'one WhatsApp message sent');
    assert.equal(messages[0].form.Body, reply);
    assert.equal(messages[0].form.To, `whatsapp:${CUSTOMER}`);
    assert.equal(messages[0].form.From, `whatsapp:${DEMO_NUMBER}`);
    assert.equal(await page.locator('article[data-message]').count(), 2, 'the reply on the timeline');

    await submit(page, 'call', 'calling');
    const calls = twilio.requests.filter((r) => r.path.endsWith('/Calls.json'));
    assert.equal(calls.length, 1, 'one call placed');
    assert.equal(calls[0].form.To, OWNER_PHONE, "the owner's phone rings first");
    assert.equal(calls[0].form.From, DEMO_NUMBER);

    await submit(page, 'block', 'blocked');
    assert.equal(await page.locator('article.customer .blocked').count(), 1, 'shown blocked');
    const twiml = run('simulate', 'call', '--from', CUSTOMER, '--to', DEMO_NUMBER, '--base', frontdesk.base);
    assert.match(twiml, /<Reject\/>/, `a blocked caller is rejected: ${twiml}`);
    const after = await overflow(page);
    assert.ok(after <= 0, `no horizontal scroll at 360 px (${after} px too wide)`);
    console.log('customer in chromium: timeline from the calls list, WhatsApp reply, call back, blocked caller rejected, 360 px');
  });
} finally {
  twilio.close();
}

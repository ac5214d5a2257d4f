// The README's picture of the inbox: the demo clinic's calls on a phone-sized screen, from a
// fresh `frontdesk serve` with its seed. Not a test.
//   FRONTDESK_BIN=target/debug/frontdesk node infra/browser/screenshot.mjs docs/inbox.png

import { signIn, withInbox } from './lib.mjs';

const out = process.argv[2] ?? 'docs/inbox.png';

await withInbox({}, async ({ frontdesk, browser }) => {
  const page = await signIn(browser, frontdesk.link('demo'));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
});

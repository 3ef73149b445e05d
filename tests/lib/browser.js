// Headless Debian chromium driven by playwright-core (no downloaded
// browser: this machine's network is closed). Flags from the machine notes.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.CB_BASE_URL || 'http://127.0.0.1:18080';

export async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); };
  return { context, close };
}

// Fails the test if any dialog opens or any page script error happens:
// an XSS payload that runs would do one or the other.
export function watch(page) {
  const events = { dialogs: [], errors: [] };
  page.on('dialog', async (d) => { events.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => events.errors.push(String(e)));
  return events;
}

export async function login(page, user, password) {
  // Every test starts logged out: the context is shared between tests.
  await page.context().clearCookies();
  await page.goto(BASE + '/login');
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

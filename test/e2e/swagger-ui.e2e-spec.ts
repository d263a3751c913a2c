import { Page } from 'playwright-core';
import { startApp, TestApp } from '../support/app';
import { Browser, describeWithChromium, launchChromium } from '../support/browser';
import { registerUser, TestUser } from '../support/clients';

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\//;

interface RequestLog {
  loopback: string[];
  external: string[];
}

/** Abort every request that leaves loopback and record each URL, so the test can check that the page loads nothing from outside. */
async function blockExternalRequests(browser: Browser): Promise<RequestLog> {
  const log: RequestLog = { loopback: [], external: [] };
  await browser.context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOOPBACK.test(url)) {
      log.loopback.push(url);
      return route.continue();
    }
    log.external.push(url);
    return route.abort();
  });
  return log;
}

async function authorize(page: Page, token: string): Promise<void> {
  await page.locator('.scheme-container button.authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(token);
  await dialog.getByRole('button', { name: 'Apply credentials' }).click();
  await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
}

/** Expand an operation, press "Try it out" and "Execute", and return the response block it renders. */
async function execute(page: Page, method: string, path: string) {
  const operation = page.locator(`.opblock-${method}`).filter({ has: page.locator(`[data-path="${path}"]`) });
  await operation.locator('.opblock-summary').first().click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  return operation.locator('.live-responses-table .response');
}

describeWithChromium('Swagger UI', () => {
  let app: TestApp;
  let browser: Browser;
  let user: TestUser;

  beforeAll(async () => {
    app = await startApp();
    user = await registerUser(app, 'swag');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('runs GET /api/users/me when authorized', async () => {
    const requests = await blockExternalRequests(browser);
    const page = await browser.context.newPage();

    await page.goto(`${app.url}/docs`);
    await authorize(page, user.token);
    const response = await execute(page, 'get', '/api/users/me');

    await expect(response.locator('.response-col_status').textContent()).resolves.toContain('200');
    const body = JSON.parse((await response.locator('.response-col_description pre').first().textContent()) ?? '');
    expect(body.username).toBe(user.username);
    expect(body.id).toBe(user.id);
    expect(requests.loopback.some((url) => url.endsWith('/docs/swagger-ui-bundle.js'))).toBe(true);
    expect(requests.external).toEqual([]);
  });

  it('shows 401 without a token', async () => {
    const page = await browser.context.newPage();

    await page.goto(`${app.url}/docs`);
    const response = await execute(page, 'get', '/api/users/me');

    await expect(response.locator('.response-col_status').textContent()).resolves.toContain('401');
  });
});

/**
 * The offline explorer in a real browser: Debian's chromium, driven by playwright-core, opens
 * `/explorer` with every request that is not to the gateway refused, signs in through GraphiQL,
 * puts the token into the headers editor and runs a query across the three subgraphs.
 * `EXPLORER_SCREENSHOT=docs/explorer.png` also writes the final screenshot there (the README's).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack } from './helpers/stack';

/** The chromium binary on PATH (Debian's `chromium` package), if any. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const executablePath = findChromium();
if (!executablePath) {
  console.log(
    'explorer: browser test skipped: chromium is not installed (apt-get install chromium)',
  );
}

/** The little of the browser's DOM the page functions below use (the project has no DOM types). */
interface PageGlobals {
  document: {
    querySelector(
      selector: string,
    ): { textContent: string | null; CodeMirror?: { getValue(): string } } | null;
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The text of the visible CodeMirror editor that `selector` contains. */
function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => {
    const editor = (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror;
    return editor.getValue();
  });
}

/** Runs the active tab and returns the JSON the result pane then shows. */
async function runActiveTab(page: Page): Promise<{ data?: Record<string, unknown> }> {
  const result = '.result-window .CodeMirror';
  const before = await editorText(page, result);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    ([selector, previous]) => {
      const { document } = globalThis as unknown as PageGlobals;
      const text = document.querySelector(selector!)?.CodeMirror?.getValue() ?? '';
      return text !== '' && text !== previous;
    },
    [result, before],
  );
  return JSON.parse(await editorText(page, result)) as { data?: Record<string, unknown> };
}

(executablePath ? describe : describe.skip)('offline explorer in chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    shots = mkdtempSync(join(tmpdir(), 'fedstack-explorer-'));
    [stack, browser] = await Promise.all([
      startStack(),
      // CI runs as root, where chromium's own sandbox cannot start.
      chromium.launch({ executablePath, args: ['--no-sandbox'] }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  it('signs in and runs a federated query with the network closed', async () => {
    const origin = new URL(stack.gatewayUrl).origin;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const requested: string[] = [];
    const refused: string[] = [];
    // The network is closed: only the gateway answers; anything else fails as it would offline.
    await context.route('**', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).origin === origin) await route.continue();
      else {
        refused.push(url);
        await route.abort('internetdisconnected');
      }
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    // `/` leads to the explorer.
    await page.goto(`${origin}/`);
    expect(new URL(page.url()).pathname).toBe('/explorer');
    await page.waitForSelector('.graphiql-execute-button');

    // The first tab signs in as alice.
    expect(await editorText(page, '.graphiql-query-editor .CodeMirror')).toContain('login(');
    const login = await runActiveTab(page);
    const token = (login.data?.login as { accessToken?: string } | undefined)?.accessToken;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    // The second tab queries the graph, with the token typed into its headers editor.
    await page.click('.graphiql-tab-button:has-text("MyGraph")');
    await page.waitForFunction(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
      return editor?.textContent?.includes('me {');
    });
    const headers = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
    expect(await editorText(page, headers)).toContain('Bearer <accessToken>');
    await page.click(`${headers} .CodeMirror-lines`);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`{\n  "Authorization": "Bearer ${token}"\n}`);
    expect(await editorText(page, headers)).toContain(`Bearer ${token}`);
    const graph = await runActiveTab(page);
    const me = graph.data?.me as {
      username: string;
      orders: Array<{ item: string; supplier: { name: string } | null }>;
      suppliers: Array<{ name: string }>;
    };
    expect(me.username).toBe('alice');
    expect(me.orders.length).toBeGreaterThan(0);
    expect(me.orders.every((order) => typeof order.item === 'string')).toBe(true);
    expect(me.orders.some((order) => typeof order.supplier?.name === 'string')).toBe(true);
    expect(me.suppliers.length).toBeGreaterThan(0);

    // What the result pane shows, as a user sees it.
    expect(await page.locator('.result-window').innerText()).toContain('"username": "alice"');

    const shot = join(shots, 'explorer.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    const target = process.env.EXPLORER_SCREENSHOT;
    if (target) {
      const path = resolve(target);
      if (!existsSync(dirname(path))) mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path });
    }

    // Nothing left loopback, nothing was refused, and the page reported no error.
    expect(refused).toEqual([]);
    expect(requested.length).toBeGreaterThan(4);
    for (const url of requested) expect(LOOPBACK.has(new URL(url).hostname)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });
});

#!/usr/bin/env node
// The browser walk: what a person does in the control panel, in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core; Playwright
// never downloads a browser of its own here).
//
//   log in (a wrong password first: an error, and no session)
//   Servers: verify localhost; add a second server, a database server on this
//     machine (a bad name first: the form shows the error and keeps the
//     values), verify it and watch its task to the end
//   Platforms: add a WordPress platform on localhost from a directory, watch
//     its deploy to the end
//   Sites: add a site under .localhost whose database is on the second
//     server (a bad admin user name first: the error shows at the field),
//     watch the install's live log until it has succeeded, open the site
//
// and saves a screenshot of each main page. Plain node, no test framework:
// the exit status is 0 when every step passed; on a failure the step is
// named, and a screenshot and the HTML of the page at that moment are saved.
//
// Environment:
//   AEGIR_URL             the control panel, e.g. http://127.0.0.1:8080 (required)
//   AEGIR_ADMIN_PASSWORD  the password of the user admin (required)
//   AEGIR_SCREENSHOTS     where the screenshots go (default: ./screenshots)
//   CHROMIUM              the browser (default: /usr/bin/chromium)
//   AEGIR_WALK_NAME       the suffix of the names the walk adds (default: a
//                         fresh one, so that the walk can run again on the
//                         same panel)
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// playwright-core 1.61 (package.json's engines) needs Node.js 18, Debian 12's:
// say so plainly rather than fail somewhere inside it.
if (Number(process.versions.node.split('.')[0]) < 18) {
  console.error(`walk: Node.js ${process.versions.node} is too old: playwright-core needs 18 or later`);
  process.exit(2);
}
const { chromium } = require('playwright-core');
console.log(`walk: Node.js ${process.versions.node}, playwright-core ${require('playwright-core/package.json').version}`);

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`walk: set ${name} (see the comment at the top of ${__filename})`);
    process.exit(2);
  }
  return v;
}

const base = required('AEGIR_URL').replace(/\/+$/, '');
const password = required('AEGIR_ADMIN_PASSWORD');
const shotsDir = path.resolve(process.env.AEGIR_SCREENSHOTS || 'screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const suffix = process.env.AEGIR_WALK_NAME || Date.now().toString(36);
const port = new URL(base).port || '80';

const serverName = `db-${suffix}`;
const platformName = `wp-${suffix}`;
const domain = `walk-${suffix}.localhost`;
const siteTitle = `Browser walk ${suffix}`;

// Generous bounds: they only end a walk that is stuck, they never decide
// whether a step that finished passed.
const ACTION_TIMEOUT = 60_000;
const TASK_TIMEOUT = 300_000;
const FINAL_STATES = ['succeeded', 'failed', 'cancelled'];

const shots = [];
let page;
let currentStep = '(starting)';

async function step(name, fn) {
  currentStep = name;
  const t0 = Date.now();
  console.log(`walk: ${name}`);
  await fn();
  console.log(`walk:   ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

async function shot(name, { fullPage = true } = {}) {
  const file = path.join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  shots.push(file);
}

// The main navigation in the page's header.
function nav(name) {
  return page.getByRole('banner').getByRole('link', { name, exact: true });
}

// Chooses the option whose label is name, or starts with it followed by
// a space ("wp-1 (WordPress on localhost)").
async function choose(select, name) {
  const value = await select.evaluate((el, wanted) => {
    const o = [...el.options].find((opt) => {
      const t = opt.textContent.trim();
      return t === wanted || t.startsWith(`${wanted} `);
    });
    return o ? o.value : null;
  }, name);
  assert.ok(value !== null, `the list offers ${name}: ${await select.innerText()}`);
  await select.selectOption(value);
}

// The value of a fact on an entity's page ("Status" -> "verified").
async function fact(name) {
  const dd = page.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
  return (await dd.innerText()).trim();
}

async function heading(text) {
  await page.getByRole('heading', { level: 1, name: text }).waitFor();
}

// Live log lines seen arriving, by task path: a MutationObserver on the
// task page's log (installed before the page's own scripts run) reports
// each line that script appends, through a binding that survives reloads.
const liveLines = new Map();

async function followLiveLogs(context) {
  await context.exposeBinding('aegirWalkLine', ({ frame }, seq, text) => {
    const key = new URL(frame.url()).pathname;
    if (!liveLines.has(key)) liveLines.set(key, []);
    liveLines.get(key).push({ seq: Number(seq), text });
  });
  await context.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const log = document.getElementById('log');
      if (!log || log.dataset.live !== '1') return;
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if (n.nodeType === 1 && n.classList.contains('line')) window.aegirWalkLine(n.dataset.seq, n.textContent);
          }
        }
      }).observe(log, { childList: true });
    });
  });
}

// On a task page: waits until the task has ended and the page shows its
// final state from the server (the page's script reloads it once then);
// fails unless it succeeded. With runningShot, first takes a screenshot of
// the page while lines are still coming in. Returns what the walk saw.
async function watchTask(what, runningShot) {
  await page.waitForURL(/\/tasks\/\d+$/, { timeout: ACTION_TIMEOUT });
  const taskPath = new URL(page.url()).pathname;
  const initial = await page.locator('#log .line').count();
  const initialState = (await page.locator('#task-state').textContent()).trim();
  if (runningShot) {
    const ended = () => page.locator('#task-state').textContent({ timeout: 1000 })
      .then((t) => FINAL_STATES.includes(t.trim()), () => false);
    const until = Date.now() + TASK_TIMEOUT;
    while ((liveLines.get(taskPath) || []).length < 10 && Date.now() < until && !(await ended())) {
      await page.waitForTimeout(100);
    }
    await shot(runningShot, { fullPage: false });
  }
  await page.waitForFunction(
    (finals) => {
      const state = document.getElementById('task-state');
      const log = document.getElementById('log');
      return state && log && finals.includes(state.textContent.trim()) && log.dataset.live !== '1';
    },
    FINAL_STATES,
    { timeout: TASK_TIMEOUT, polling: 250 },
  );
  await page.waitForLoadState('load');
  const state = (await page.locator('#task-state').textContent()).trim();
  const lines = await page.locator('#log .line').allTextContents();
  const live = liveLines.get(taskPath) || [];
  console.log(`walk:   ${what}: ${taskPath} ${initialState} -> ${state}; ${initial} log lines on arrival, ` +
              `${live.length} arrived live, ${lines.length} on the final page`);
  if (state !== 'succeeded') {
    const reason = await page.locator('#task-reason').allTextContents();
    assert.fail(`${what} (${taskPath}) ended ${state}: ${reason.join(' ')}\n` +
                `last log lines:\n  ${lines.slice(-30).join('\n  ')}`);
  }
  return { taskPath, initial, live, lines };
}

async function logIn() {
  await step('the login page refuses a wrong password', async () => {
    await page.goto(`${base}/login`);
    await heading('Log in');
    await shot('01-login');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(`${password}-wrong`);
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /wrong|incorrect|invalid/i, 'the refusal says what is wrong');
    assert.equal(new URL(page.url()).pathname, '/login', 'a wrong password stays on the login page');
    assert.equal(await nav('Servers').count(), 0, 'no navigation without a session');
    assert.equal(await page.getByLabel('User name').inputValue(), 'admin', 'the user name is kept');
    await shot('02-login-wrong-password');
  });

  await step('log in as admin: the dashboard', async () => {
    // A fresh form, so that the alert of the refusal above is gone.
    await page.goto(`${base}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const refused = page.getByRole('alert');
    await Promise.race([
      heading('Dashboard'),
      refused.waitFor().then(async () => assert.fail(`the login was refused: ${await refused.innerText()}`)),
    ]);
    assert.equal(new URL(page.url()).pathname, '/');
    await shot('03-dashboard');
  });
}

async function servers() {
  await step('Servers: verify localhost', async () => {
    await nav('Servers').click();
    await heading('Servers');
    await page.getByRole('link', { name: 'localhost', exact: true }).click();
    await heading('localhost');
    await page.getByRole('button', { name: 'Verify server' }).click();
    await watchTask('verify localhost');
  });

  // The database server of localhost as the launcher set it up: the second
  // server uses the same MariaDB, as an administrator would copy it, and a
  // configuration root of its own inside localhost's (where the executor's
  // user may make directories).
  let socket, adminUser, configRoot;
  await step('read the database settings of localhost', async () => {
    await page.getByRole('link', { name: 'localhost', exact: true }).click();
    await heading('localhost');
    await page.getByRole('link', { name: /^Edit/ }).click();
    socket = await page.getByLabel('Socket', { exact: true }).inputValue();
    adminUser = await page.getByLabel('Administrative user', { exact: true }).inputValue();
    configRoot = `${await page.getByLabel('Configuration root', { exact: true }).inputValue()}/walk`;
    assert.ok(socket, 'localhost has a database socket');
  });

  await step('Servers: a bad name is refused, the values are kept', async () => {
    await nav('Servers').click();
    await heading('Servers');
    await shot('04-servers');
    await page.getByRole('link', { name: 'Add server' }).click();
    await heading('Add a server');
    await page.getByLabel('Name', { exact: true }).fill('Not A Name!');
    await page.getByLabel('Host name or address').fill('localhost');
    await page.getByLabel('Configuration root', { exact: true }).fill(configRoot);
    await choose(page.getByLabel('Web server', { exact: true }), 'none');
    await choose(page.getByLabel('Database', { exact: true }), 'MariaDB');
    await page.getByLabel('Socket', { exact: true }).fill(socket);
    await page.getByLabel('Administrative user', { exact: true }).fill(adminUser);
    await page.getByRole('button', { name: 'Add server' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Name/, 'the error names the field');
    assert.equal(await page.getByLabel('Socket', { exact: true }).inputValue(), socket, 'the socket is kept');
    assert.equal(await page.getByLabel('Configuration root', { exact: true }).inputValue(), configRoot,
                 'the configuration root is kept');
    assert.equal(await page.getByLabel('Database', { exact: true }).inputValue(), 'mariadb', 'the choice is kept');
    await shot('05-server-add-error');
  });

  await step(`Servers: add ${serverName} and verify it`, async () => {
    await page.getByLabel('Name', { exact: true }).fill(serverName);
    await page.getByRole('button', { name: 'Add server' }).click();
    await heading(serverName);
    await page.getByRole('button', { name: 'Verify server' }).click();
    await shot('06-server-verify-task');
    await watchTask(`verify ${serverName}`);
    await page.getByRole('link', { name: serverName, exact: true }).click();
    await heading(serverName);
    assert.equal(await fact('Status'), 'verified', `${serverName} shows it is verified`);
    assert.equal(await fact('Configuration root'), configRoot, 'its own configuration root');
    assert.match(await page.locator('main').innerText(), /db: mariadb/i, 'its database service is listed');
    await shot('07-server');
  });
}

async function platforms() {
  await step(`Platforms: add ${platformName} from /usr/share/wordpress and watch its deploy`, async () => {
    await nav('Platforms').click();
    await heading('Platforms');
    await page.getByRole('link', { name: 'Add platform' }).click();
    await heading('Add a platform');
    await page.getByLabel('Name', { exact: true }).fill(platformName);
    await choose(page.getByLabel('Web server'), 'localhost');
    await choose(page.getByLabel('Distribution'), 'WordPress');
    await page.getByLabel('a directory on the server').check();
    await page.getByLabel('Directory', { exact: true }).fill('/usr/share/wordpress');
    await page.getByRole('button', { name: 'Add and deploy' }).click();
    await heading(platformName);
    await page.getByRole('row').filter({ hasText: 'Deploy' }).getByRole('link').first().click();
    const deploy = await watchTask(`deploy ${platformName}`);
    await shot('08-platform-deploy-task');
    assert.ok(deploy.lines.length > 0, 'the deploy has a log');
    await page.getByRole('link', { name: platformName, exact: true }).click();
    await heading(platformName);
    assert.equal((await page.locator('#platform-status').textContent()).trim(), 'enabled');
    await shot('09-platform');
    await nav('Platforms').click();
    await heading('Platforms');
    await shot('10-platforms');
  });
}

async function sites() {
  await step('Sites: a bad admin user name shows at its field, nothing is lost', async () => {
    await nav('Sites').click();
    await heading('Sites');
    await page.getByRole('link', { name: 'Add site' }).click();
    await heading('Add a site');
    await page.getByLabel('Domain').fill(domain);
    await choose(page.getByLabel('Platform'), platformName);
    await choose(page.getByLabel('Database server'), serverName);
    await page.getByLabel('Title').fill(siteTitle);
    await page.getByLabel('Admin user').fill('Not Valid');
    await page.getByLabel('Admin email').fill('walk@example.org');
    await shot('11-site-add-form');
    await page.getByRole('button', { name: 'Add and install' }).click();
    // The error is at the field: text naming it shows between the Admin
    // user input and the next field (wherever else the form also lists it).
    await page.getByRole('alert').first().waitFor();
    const top = (await page.getByLabel('Admin user').boundingBox()).y;
    const next = (await page.getByLabel('Admin email').boundingBox()).y;
    let inline = null;
    for (const el of await page.getByText(/Admin user/).all()) {
      const box = await el.boundingBox();
      if (box && box.y > top && box.y < next) inline = el;
    }
    assert.ok(inline, 'an error naming it shows at the Admin user field');
    assert.match(await inline.innerText(), /Not Valid|expected|lower/i, 'the error at the field says what is wrong');
    assert.equal(await page.getByLabel('Domain').inputValue(), domain, 'the domain is kept');
    assert.equal(await page.getByLabel('Admin email').inputValue(), 'walk@example.org', 'the e-mail is kept');
    assert.equal(await page.getByLabel('Title').inputValue(), siteTitle, 'the title is kept');
    assert.equal(await page.getByLabel('Admin user').inputValue(), 'Not Valid', 'the bad value is shown to correct');
    await shot('12-site-add-error');
  });

  await step(`Sites: add ${domain} and watch the install's live log`, async () => {
    // The form came back with the other choices as they were.
    await choose(page.getByLabel('Platform'), platformName);
    await choose(page.getByLabel('Database server'), serverName);
    await page.getByLabel('Admin user').fill('walker');
    await page.getByRole('button', { name: 'Add and install' }).click();
    await heading(domain);
    await shot('13-site-queued');
    await page.getByRole('row').filter({ hasText: 'Install' }).getByRole('link').first().click();
    const install = await watchTask(`install ${domain}`, '14-site-install-task-running');
    assert.ok(install.live.length > 0,
              `log lines arrive on the open task page without a reload (${install.initial} were there on arrival, none came)`);
    const seqs = install.live.map((l) => l.seq);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), `live lines come in order: ${seqs.join(',')}`);
    const finalText = install.lines.join('\n');
    for (const l of install.live.slice(-3)) {
      assert.ok(finalText.includes(l.text), `the final log holds the live line "${l.text}"`);
    }
    await shot('15-site-install-task');
  });

  await step(`Sites: ${domain} is enabled, its database on ${serverName}`, async () => {
    await page.getByRole('link', { name: domain, exact: true }).click();
    await heading(domain);
    assert.equal((await page.locator('#site-status').textContent()).trim(), 'enabled');
    assert.match(await fact('Database'), new RegExp(` on ${serverName}$`), `the site's database is on ${serverName}`);
    await shot('16-site');
    await nav('Sites').click();
    await heading('Sites');
    await page.getByRole('link', { name: domain, exact: true }).waitFor();
    await shot('17-sites');
  });

  await step(`open http://${domain}:${port}/`, async () => {
    const response = await page.goto(`http://${domain}:${port}/`);
    assert.equal(response.status(), 200, `the site answers 200, not ${response.status()}`);
    assert.equal(new URL(page.url()).hostname, domain, 'the site stays on its own name');
    assert.match(await page.title(), new RegExp(siteTitle), 'the page title is the site title');
    const generator = await page.locator('meta[name="generator"]').getAttribute('content');
    assert.match(generator || '', /^WordPress/, 'WordPress made the page');
    await shot('18-site-front-page');
  });

  await step('the dashboard lists the tasks', async () => {
    await page.goto(`${base}/`);
    await heading('Dashboard');
    await page.getByRole('row').filter({ hasText: domain }).first().waitFor();
    await shot('19-dashboard-after');
  });
}

async function main() {
  fs.mkdirSync(shotsDir, { recursive: true });
  for (const f of fs.readdirSync(shotsDir)) {
    if (f.endsWith('.png') || f.endsWith('.html')) fs.unlinkSync(path.join(shotsDir, f));
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegir-walk-chromium-'));
  // --no-sandbox only as root: Chromium refuses to start its sandbox as root
  // (it needs an unprivileged user for its namespaces), and containers often
  // lack the user namespaces it uses anyway; as any other user it keeps it.
  // The rest keep a headless Chromium quiet on a machine without a network:
  // no background requests to update components, sync or prefetch.
  const args = [
    '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic',
  ];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
  });
  let failed = false;
  try {
    context.setDefaultTimeout(ACTION_TIMEOUT);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
    await followLiveLogs(context);
    page = context.pages()[0] || (await context.newPage());
    await logIn();
    await servers();
    await platforms();
    await sites();
  } catch (err) {
    failed = true;
    const slug = currentStep.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    console.error(`walk: FAILED at step "${currentStep}"${page ? ` on ${page.url()}` : ''}`);
    console.error(err && err.stack ? err.stack : String(err));
    if (page) {
      const png = path.join(shotsDir, `failure-${slug}.png`);
      const html = path.join(shotsDir, `failure-${slug}.html`);
      try {
        await page.screenshot({ path: png, fullPage: true });
        console.error(`walk: screenshot of the failing page: ${png}`);
      } catch (e) {
        console.error(`walk: no screenshot of the failing page: ${e.message}`);
      }
      try {
        fs.writeFileSync(html, await page.content());
        console.error(`walk: its HTML: ${html}`);
      } catch (e) {
        console.error(`walk: no HTML of the failing page: ${e.message}`);
      }
    }
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`walk: ${shots.length} screenshots in ${shotsDir}:`);
  for (const f of shots) console.log(`walk:   ${path.basename(f)}`);
  if (failed) process.exit(1);
  console.log('walk: every step passed');
}

main().catch((err) => {
  console.error(`walk: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});

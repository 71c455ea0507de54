#!/usr/bin/env node
// Crosscheck console: end-to-end test in a real browser.
//
// Debian's chromium (/usr/bin/chromium, headless) driven by playwright-core (pinned in
// package-lock.json; `npm ci` here installs it, tests/run does so), against the real programs of
// the build: `crosscheck` (watchlist load, users, produce, tail, audit), `crosscheck-screener` and
// `crosscheck-console`, on the Kafka broker and Redis of the test run. Nothing is mocked.
//
//   1. a unique Redis key prefix and unique topics; the demo watchlist is published
//      (`crosscheck watchlist load tests/fixtures/watchlists/demo.json`) and a test rule is put,
//      approved and activated by two different people (`crosscheck rules ...`);
//   2. two officers are created (`crosscheck users add`, `crosscheck users token`): one of queue
//      border, one of customs; a screener and a console start with generated configurations;
//   3. the border officer signs in (no session: the page sends the browser to sign-in; the page
//      is served with CSP default-src 'self'); earlier traffic arrives; an escalation recorded
//      through the API (refused without the CSRF header) reaches the page without a reload;
//   4. an itinerary whose passengers match demo entries and a manifest for customs are produced to
//      Kafka (`crosscheck produce`); the alerts appear without a reload, newest first, each row as
//      the flag on flags.border says (severity, subject, reason, queue, score, status, ticking age);
//   5. the officer opens one and sees its explanation exactly as the flag carries it (names, token
//      matches, feature contributions), the rule, its version, legal basis and digest; a rule's
//      alert shows the event fields the rule declared;
//   6. the decision buttons stay disabled until a comment is typed; the officer marks the alert a
//      false positive; the decision is on the dispositions topic (`crosscheck tail`), and the view
//      and the disposition are in the audit trail (`crosscheck audit --format json`);
//   7. the customs officer, in a browser profile of their own, is refused with a wrong token, then
//      sees their own alert but not the border one, and the API answers 404 for it; once their
//      tokens and sessions are revoked (`crosscheck users revoke --all`), the open page is sent
//      back to sign-in (the server re-checks a WebSocket's credential, here every 500 ms);
//   8. no page raised a script error or a CSP violation.
// Screenshots at 1366x768 of the queue view and the alert view are written into the run
// directory, and copied to docs/console-queue.png and docs/console-alert.png when
// CROSSCHECK_E2E_SCREENSHOTS=1.
//
// Usage: node tests/e2e/console.test.mjs [BUILD_DIR]
// Environment: CROSSCHECK_BUILD_DIR (else the argument, else build/), CROSSCHECK_TEST_KAFKA,
// CROSSCHECK_TEST_REDIS (host:port; absent: skipped, or failed when CROSSCHECK_REQUIRE_SERVERS=1),
// CROSSCHECK_REQUIRE_BROWSER=1 (fail instead of skip when chromium or playwright-core is missing),
// CROSSCHECK_TEST_LOG_DIR or CROSSCHECK_RUN_DIR (where the run directory goes; else the system
// temporary directory), CROSSCHECK_E2E_SCREENSHOTS=1, CROSSCHECK_CHROMIUM (default /usr/bin/chromium).
// Exit codes: 0 passed, 1 failed, 77 skipped (ctest SKIP_RETURN_CODE).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  QUEUES, freePort, httpStatus, kafkaConfigLines, logTail, redisDeletePrefix, screenerConfigYaml, sleep, testTopics,
} from './support.mjs';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const started = Date.now();

// ------------------------------------------------------------------------------------------------
// Output

function elapsed() { return ((Date.now() - started) / 1000).toFixed(1).padStart(6) + 's'; }
function say(text) { process.stdout.write(`[${elapsed()}] ${text}\n`); }

let checks = 0;
function check(condition, what, detail) {
  if (!condition) throw new Error(`check failed: ${what}${detail === undefined ? '' : `\n  ${detail}`}`);
  checks += 1;
  say(`  ok   ${what}`);
}
// For a wait that has just succeeded (a failed wait throws with its own message).
function passed(what) { check(true, what); }

async function step(title, fn) {
  say(`STEP ${title}`);
  const t0 = Date.now();
  const out = await fn();
  say(`     done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

function skip(why) {
  process.stdout.write(`console_browser_test SKIPPED: ${why}\n`);
  process.exit(SKIP);
}

// ------------------------------------------------------------------------------------------------
// Prerequisites

const buildDir = path.resolve(process.env.CROSSCHECK_BUILD_DIR || process.argv[2] || path.join(root, 'build'));
const binDir = process.env.CROSSCHECK_BIN_DIR || path.join(buildDir, 'bin');
const chromiumPath = process.env.CROSSCHECK_CHROMIUM || '/usr/bin/chromium';
const requireBrowser = process.env.CROSSCHECK_REQUIRE_BROWSER === '1';
const requireServers = process.env.CROSSCHECK_REQUIRE_SERVERS === '1';

function missing(why, required, how) {
  if (required) {
    process.stdout.write(`console_browser_test FAILED: ${why} (${how})\n`);
    process.exit(1);
  }
  skip(`${why}; ${how}`);
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 20) {
  missing(`Node.js ${process.versions.node} is older than playwright-core needs (20 or later)`, requireBrowser,
          'install Node.js 20');
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  missing('playwright-core is not installed in tests/e2e/node_modules', requireBrowser,
          'run `npm ci` in tests/e2e (tests/run does)');
}
if (!fs.existsSync(chromiumPath)) {
  missing(`no browser at ${chromiumPath}`, requireBrowser, 'install Debian\'s chromium (ops/install-deps does)');
}
const kafkaAddress = process.env.CROSSCHECK_TEST_KAFKA;
const redisAddress = process.env.CROSSCHECK_TEST_REDIS;
if (!kafkaAddress || !redisAddress) {
  missing('CROSSCHECK_TEST_KAFKA and CROSSCHECK_TEST_REDIS are not both set', requireServers,
          'run through tests/run, or set them to host:port of a Kafka broker and a Redis server');
}
for (const exe of ['crosscheck', 'crosscheck-screener', 'crosscheck-console']) {
  if (!fs.existsSync(path.join(binDir, exe))) {
    process.stdout.write(`console_browser_test FAILED: ${path.join(binDir, exe)} is missing: build the project ` +
                         `(cmake --build ${buildDir}) or point CROSSCHECK_BUILD_DIR at a build\n`);
    process.exit(1);
  }
}

// ------------------------------------------------------------------------------------------------
// Names and files of this run: nothing is shared with other tests or runs.

const stem = `e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
const runBase = process.env.CROSSCHECK_TEST_LOG_DIR || process.env.CROSSCHECK_RUN_DIR || os.tmpdir();
const runDir = path.join(runBase, `console-${stem}`);
fs.mkdirSync(runDir, { recursive: true });
const redisPrefix = `cctest:${stem}:`;
const topics = testTopics(stem);
const screenerConfig = path.join(runDir, 'screener.yaml');
const consoleConfig = path.join(runDir, 'console.yaml');
const officerBorder = 'e2e-officer-border';
const officerCustoms = 'e2e-officer-customs';
const reviewComment = 'Checked the passport: date of birth matches but document number and issuing ' +
                      'state differ from the listed person; not the same person.';

// ------------------------------------------------------------------------------------------------
// Child processes

const children = [];

function startChild(name, args) {
  const logPath = path.join(runDir, `${name}.log`);
  const fd = fs.openSync(logPath, 'a');
  const child = spawn(args[0], args.slice(1), { stdio: ['ignore', fd, fd], env: process.env });
  fs.closeSync(fd);
  const entry = { name, child, logPath, exited: null };
  child.on('exit', (code, signal) => { entry.exited = { code, signal }; });
  children.push(entry);
  return entry;
}

async function stopChildren() {
  await Promise.all(children.map(async (c) => {
    if (c.exited) return;
    c.child.kill('SIGTERM');
    const deadline = Date.now() + 15000;
    while (!c.exited && Date.now() < deadline) await sleep(100);
    if (!c.exited) c.child.kill('SIGKILL');
  }));
}

// Runs `crosscheck -c <screener config> ARGS...`; resolves stdout, rejects with stderr on a
// non-zero exit.
function cli(args, { timeoutMs = 60000, actor = 'e2e-admin' } = {}) {
  return new Promise((resolve, reject) => {
    const argv = ['-c', screenerConfig, ...args];
    const child = spawn(path.join(binDir, 'crosscheck'), argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CROSSCHECK_ACTOR: actor },
    });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Token secrets stay out of the log.
      const logged = `$ crosscheck ${argv.join(' ')}\n${out}${err}-> ${code ?? signal}\n`.replace(/(cct_[0-9a-f]+_)[0-9a-f]+/g, '$1<secret>');
      fs.appendFileSync(path.join(runDir, 'cli.log'), logged);
      if (code === 0) resolve(out);
      else reject(new Error(`crosscheck ${args.join(' ')} exited ${code ?? signal}: ${err.trim() || out.trim()}`));
    });
  });
}

// The `crosscheck users` syntax lives here only.
async function createOfficer(name, queue) {
  await cli(['users', 'add', name, '--role', 'officer', '--queue', queue]);
}
async function issueToken(name) {
  const out = await cli(['users', 'token', name, '--format', 'json']);
  const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  const token = line ? JSON.parse(line).token : undefined;
  if (typeof token !== 'string' || !token) throw new Error(`crosscheck users token ${name} printed no token: ${out}`);
  return token;
}

// Records of `topic` from its beginning, as JSON objects (`crosscheck tail --format json`).
async function readTopic(topic, { max, idleSeconds }) {
  const out = await cli(['tail', '--topic', topic, '--from-beginning', '--max', String(max),
                         '--idle-timeout', String(idleSeconds), '--format', 'json'], { timeoutMs: (idleSeconds + 60) * 1000 });
  return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

// ------------------------------------------------------------------------------------------------
// Small utilities

async function eventually(what, fn, timeoutMs, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}${last ? ` (${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

async function waitReady(entry, url, timeoutMs) {
  await eventually(`${entry.name} answers 200 on ${url}`, async () => {
    if (entry.exited) throw new Error(`${entry.name} exited (${JSON.stringify(entry.exited)}):\n${logTail(entry.logPath)}`);
    return (await httpStatus(url)) === 200;
  }, timeoutMs);
}

// ------------------------------------------------------------------------------------------------
// Configurations (keys: ops/config/screener.yaml, ops/config/console.yaml)

function writeScreenerConfig(httpPort) {
  fs.writeFileSync(screenerConfig, screenerConfigYaml({
    instanceId: `${stem}-screener`, groupId: `${stem}-screener`, kafkaAddress, redisAddress, redisPrefix, topics, httpPort,
  }));
}

function writeConsoleConfig(httpPort) {
  fs.writeFileSync(consoleConfig, [
    `instance_id: ${stem}-console`,
    ...kafkaConfigLines(kafkaAddress, `${stem}-console`),
    'redis:',
    `  address: ${redisAddress}`,
    `  key_prefix: "${redisPrefix}"`,
    'http:',
    '  address: 127.0.0.1',
    `  port: ${httpPort}`,
    `  static_dir: ${path.join(root, 'services/console/web')}`,
    'console:',
    `  queues: [${QUEUES.join(', ')}]`,
    `  flags_prefix: ${topics.flagsPrefix}`,
    `  dispositions_topic: ${topics.dispositions}`,
    `  deadletter_topic: ${topics.consoleDeadletter}`,
    '  poll_interval_ms: 200',
    '  outbox_interval_ms: 100',
    '  websocket_reauth_interval_ms: 500',
    '',
  ].join('\n'));
}

// ------------------------------------------------------------------------------------------------
// Events (schemas/json/itinerary.schema.json, manifest.schema.json); the names are those of
// tests/fixtures/watchlists/demo.json, spelt as a carrier might send them.

function isoSeconds(ms) { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }

// An itinerary departing in six hours. `cash`: paid in cash and booked today, which the test rule
// (below) looks for.
function itinerary(n, passengers, { cash = false } = {}) {
  const now = Date.now();
  return {
    schema_version: '1.0', event_id: `${stem}-itn-${n}`, event_time: isoSeconds(now),
    flight: { carrier: 'OS', number: String(120 + n), departure_airport: 'VIE', arrival_airport: 'FRA',
              scheduled_departure: isoSeconds(now + 6 * 3600e3), scheduled_arrival: isoSeconds(now + 7.5 * 3600e3) },
    pnr: { locator: `QX7P${n}M`, booking_date: isoDate(cash ? now : now - 20 * 86400e3),
           form_of_payment: cash ? 'cash' : 'card' },
    passengers,
  };
}

function passenger(given, surname, dob, sex, nat, doc, { expiry = '2031-05-31' } = {}) {
  return {
    surname, given_names: given, date_of_birth: dob, sex, nationality: nat,
    document: { type: 'P', number: doc, issuing_state: nat, expiry },
    embarkation: 'VIE', debarkation: 'FRA', bags: 1,
  };
}

// Earlier traffic, so that the queue holds more than the alert under test.
function earlierItinerary() {
  return itinerary(1, [
    passenger('SOREN', 'ODEGAARD', '1962-11-05', 'M', 'DNK', 'DK2204871'),         // DEMO-P-0004
    passenger('LENA', 'HOFFMANN', '1994-06-02', 'F', 'DEU', 'C01X00T47'),          // no entry
    passenger('HELENA', 'MULLER-ROTH', '1990-02-28', 'F', 'DEU', 'C5RJ81177'),      // DEMO-P-0005
    passenger('RAFAEL', 'QUINTERO VALE', '1968-07-03', 'M', 'PRT', 'CB6611043'),    // DEMO-P-0006
  ]);
}

// The itinerary under test.
function itineraryUnderTest() {
  const now = Date.now();
  return itinerary(2, [
    passenger('JONAS', 'WEBER', '1990-03-14', 'M', 'DEU', 'C4T7K2L91'),
    // Demo entry DEMO-P-0002 "Amina KESSLER", 1985-09-30, AUT, passport U88120456: same date of
    // birth and nationality, surname misspelt, another passport -> a fuzzy name hit. Her passport
    // has expired: the flags of this event carry its document_expired warning.
    passenger('AMINA', 'KESLER', '1985-09-30', 'F', 'AUT', 'P3417720', { expiry: isoDate(now - 10 * 86400e3) }),
    // Demo entry DEMO-P-0001 "Viktor DRAGAN": the same passport number -> a certain hit.
    passenger('VIKTOR', 'DRAGAN', '1971-04-12', 'M', 'ROU', 'RX4417208'),
  ], { cash: true });
}

// A rule of the managers (docs/rules.md), so that the queue also shows a rule's flag: cash, booked
// at most two days before departure, and a passenger with a strong watchlist hit.
const RULE_ID = 'e2e-cash-late-booking';
function ruleJson() {
  const now = Date.now();
  return {
    id: RULE_ID,
    applies_to: ['itinerary'],
    when: { all: [
      { field: 'itinerary.pnr.form_of_payment', op: '==', value: 'cash' },
      // 48 h: booked today (a date, so from midnight) for a flight six hours from now.
      { field: 'itinerary.pnr.booking_date', op: 'within_before', of: 'itinerary.flight.scheduled_departure', value: '48h' },
      { hit: { role: 'passenger', lists: [], min_score: 0.8 } },
    ] },
    severity: 'medium',
    queue: 'border',
    legal_basis: 'PNR Directive (EU) 2016/681 art. 6(2)(a); national PNR act sec. 4 (test rule)',
    purpose: 'Cash bookings made shortly before departure where a passenger also has a strong watchlist hit.',
    owner: 'e2e-rule-author',
    data_categories: ['itinerary.pnr.form_of_payment', 'itinerary.pnr.booking_date', 'itinerary.flight.scheduled_departure'],
    valid_from: isoSeconds(now - 86400e3),
    expires: isoSeconds(now + 60 * 86400e3),
    max_flags_per_hour: 20,
    max_flag_share: 0.05,
    mode: 'enforce',
  };
}

function manifest() {
  return {
    schema_version: '1.0', event_id: `${stem}-man-1`, event_time: isoSeconds(Date.now()),
    lrn: `LRN${stem.replace(/[^A-Za-z0-9]/g, '').slice(0, 19)}`, transport_mode: 'sea',
    conveyance: { imo: '9074729', name: 'NORDIC TERN', nationality: 'MT' },
    routing_countries: ['CN', 'SG', 'NL'],
    place_of_loading: 'CNSHA', place_of_unloading: 'NLRTM', first_place_of_arrival: 'NLRTM',
    estimated_arrival: '2026-12-03T06:00:00Z', transport_document_number: 'MSCU77120456',
    consignor: { name: 'Shanghai Bright Components Co', address: { city: 'Shanghai', country: 'CN' } },
    // Demo entry DEMO-O-0001 "Black Tide Logistics B.V.".
    consignee: { name: 'Black Tide Logistics B.V.', address: { city: 'Rotterdam', country: 'NL' } },
    goods: [{ hs_code: '850440', description: 'power supplies', packages: { count: 40, type: 'PK' },
              gross_mass_kg: '1250.5', container: 'CSQU3054383' }],
  };
}

// ------------------------------------------------------------------------------------------------
// Browser helpers

const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                      '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const contexts = [];
const profiles = [];
const pageProblems = [];

// Each officer gets a browser of their own with a fresh profile (--user-data-dir), so nothing,
// not even a cookie, is shared between them.
async function openBrowser(who) {
  const profile = fs.mkdtempSync(path.join(runDir, `profile-${who}-`));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: BROWSER_ARGS,
    viewport: { width: 1366, height: 768 },
    colorScheme: 'dark',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  contexts.push(context);
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => pageProblems.push(`${who}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
      pageProblems.push(`${who}: ${m.text()}`);
    }
  });
  return { context, page };
}

async function signIn(page, consoleUrl, user, token) {
  const res = await page.goto(`${consoleUrl}/login.html`);
  check(res && res.status() === 200, `${user}: the sign-in page loads`);
  await page.fill('#login-user', user);
  await page.fill('#login-token', token);
  await page.click('#login-submit');
  await page.waitForURL(`${consoleUrl}/`, { timeout: 15000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 20000 });
  check(await page.textContent('#who-user') === user, `${user}: signed in, the console shows the account and is live`);
}

function rowSelector(flagId) { return `#alerts-body tr[data-flag-id="${flagId}"]`; }

// ------------------------------------------------------------------------------------------------
// The test

async function main() {
  say(`run directory ${runDir}`);
  say(`binaries ${binDir}; Kafka ${kafkaAddress}; Redis ${redisAddress} (prefix ${redisPrefix})`);
  const screenerPort = await freePort();
  const consolePort = await freePort();
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  writeScreenerConfig(screenerPort);
  writeConsoleConfig(consolePort);

  await step('create topics and publish the demo watchlist', async () => {
    await cli(['topics', '--partitions', '2']);
    const out = await cli(['watchlist', 'load', path.join(root, 'tests/fixtures/watchlists/demo.json')]);
    check(/published demo-national version \d+/.test(out), 'crosscheck watchlist load published demo-national', out.trim());
  });

  await step(`a second person approves and activates rule ${RULE_ID}`, async () => {
    const file = path.join(runDir, 'rule.json');
    fs.writeFileSync(file, JSON.stringify(ruleJson(), null, 2) + '\n');
    await cli(['rules', 'put', file], { actor: 'e2e-rule-author' });
    await cli(['rules', 'approve', RULE_ID, '1', '--comment', 'Reviewed for the browser test.'], { actor: 'e2e-rule-approver' });
    await cli(['rules', 'activate', RULE_ID, '1'], { actor: 'e2e-rule-approver' });
    const shown = await cli(['rules', '--format', 'json', 'show', RULE_ID, '1']);
    check(/"state":"active"/.test(shown.replace(/\s/g, '')), `rule ${RULE_ID} v1 is active`, shown.trim().slice(0, 400));
  });

  const tokens = await step('create two officers: one of queue border, one of customs', async () => {
    await createOfficer(officerBorder, 'border');
    await createOfficer(officerCustoms, 'customs');
    const t = { border: await issueToken(officerBorder), customs: await issueToken(officerCustoms) };
    check(t.border !== t.customs, 'crosscheck users token issued a token for each');
    return t;
  });

  await step('start crosscheck-screener and crosscheck-console', async () => {
    const screener = startChild('screener', [path.join(binDir, 'crosscheck-screener'), '--config', screenerConfig]);
    const consoleProc = startChild('console', [path.join(binDir, 'crosscheck-console'), '--config', consoleConfig]);
    await waitReady(screener, `http://127.0.0.1:${screenerPort}/readyz`, 60000);
    passed(`screener ready on port ${screenerPort}`);
    await waitReady(consoleProc, `${consoleUrl}/healthz`, 60000);
    passed(`console up on port ${consolePort}`);
  });

  // --- the border officer --------------------------------------------------------------------
  const border = await openBrowser('border');
  const page = border.page;
  await step('the border officer signs in', async () => {
    const res = await page.goto(`${consoleUrl}/`);
    const csp = (res && res.headers()['content-security-policy']) || '';
    check(/default-src 'self'/.test(csp), 'the page is served with CSP default-src \'self\'', csp);
    await page.waitForURL(`${consoleUrl}/login.html`);
    passed('without a session the console sends the browser to the sign-in page');
    await signIn(page, consoleUrl, officerBorder, tokens.border);
    const queues = await page.$$eval('#filter-queue option', (os) => os.map((o) => o.value).filter(Boolean));
    check(JSON.stringify(queues) === '["border"]', 'the queue filter offers only the officer\'s queue', JSON.stringify(queues));
  });

  const earlier = await step('earlier traffic arrives; a decision made elsewhere reaches the page live', async () => {
    const file = path.join(runDir, 'events-earlier.jsonl');
    fs.writeFileSync(file, JSON.stringify(earlierItinerary()) + '\n');
    await cli(['produce', '--topic', topics.itineraries, file]);
    const ids = [];
    for (const name of ['SOREN ODEGAARD', 'HELENA MULLER-ROTH', 'RAFAEL QUINTERO VALE']) {
      const r = page.locator('#alerts-body tr.alert-row', { hasText: name });
      await r.waitFor({ timeout: 45000 });
      ids.push(await r.getAttribute('data-flag-id'));
      passed(`the alert for ${name} is listed`);
    }
    check(await page.locator('#alerts-body tr.alert-row', { hasText: 'LENA HOFFMANN' }).count() === 0,
          'the passenger who matches no entry raised no alert');
    const other = await page.locator('#alerts-body tr.alert-row', { hasText: 'RAFAEL QUINTERO VALE' }).getAttribute('data-flag-id');
    // Another officer (the same account in another window) escalates it through the API. The
    // cookie alone is not enough for a state-changing request: the CSRF header is required.
    const post = (withHeader) => page.evaluate(async ({ id, withHeader }) => {
      const headers = { 'Content-Type': 'application/json' };
      if (withHeader) headers['X-Crosscheck-Request'] = '1';
      const r = await fetch(`/api/alerts/${id}/disposition`, { method: 'POST', headers,
        body: JSON.stringify({ action: 'escalate', comment: 'Name and date of birth match; passport not on file. Needs the liaison officer.' }) });
      return r.status;
    }, { id: other, withHeader });
    check(await post(false) === 403, 'a disposition without X-Crosscheck-Request is refused (403)');
    check(await post(true) === 200, 'a disposition with the header is recorded (200)');
    await page.waitForSelector(`${rowSelector(other)} [data-status="escalated"]`, { timeout: 10000 });
    passed('the page shows the escalation made elsewhere without a reload');
    await page.waitForFunction((flagIds) => flagIds.every((id) => {
      const tr = document.querySelector(`#alerts-body tr[data-flag-id="${id}"]`);
      return tr && !tr.classList.contains('is-fresh');
    }), ids, { timeout: 20000 });
    passed('the highlight of newly arrived alerts fades after a few seconds');
    return ids;
  });

  const { target, flags } = await step('produce the itinerary under test; its alert appears live', async () => {
    // Marks this page load: if the row only appeared after a reload, the marker would be gone.
    await page.evaluate(() => { window.__e2eSamePage = true; });
    const file = path.join(runDir, 'events-itineraries.jsonl');
    fs.writeFileSync(file, JSON.stringify(itineraryUnderTest()) + '\n');
    const mfile = path.join(runDir, 'events-manifests.jsonl');
    fs.writeFileSync(mfile, JSON.stringify(manifest()) + '\n');
    const producedAt = Date.now();
    await cli(['produce', '--topic', topics.itineraries, file]);
    await cli(['produce', '--topic', topics.manifests, mfile]);
    const row = page.locator('#alerts-body tr.alert-row', { hasText: 'AMINA KESLER' }).filter({ hasText: 'Watchlist:' });
    await row.waitFor({ timeout: 45000 });
    say(`     the alert row appeared ${((Date.now() - producedAt) / 1000).toFixed(1)} s after the event was produced`);
    check(await page.evaluate(() => window.__e2eSamePage === true), 'the alert arrived without a page reload (WebSocket push)');
    const flagId = await row.getAttribute('data-flag-id');
    check(/^[0-9a-f]{32}$/.test(flagId || ''), 'the row carries the flag id', flagId);
    await page.locator('#alerts-body tr.alert-row', { hasText: 'VIKTOR DRAGAN' }).waitFor({ timeout: 20000 });
    passed('the second passenger\'s alert (a document-number hit) is listed too');
    const ruleRow = page.locator('#alerts-body tr.alert-row', { hasText: `Rule: ${RULE_ID} v1` });
    await ruleRow.waitFor({ timeout: 20000 });
    check((await ruleRow.locator('td').first().textContent()).includes('Medium'),
          `the rule's flag is listed as "Rule: ${RULE_ID} v1" with severity Medium`);
    check(await page.locator('#alerts-body tr.alert-row', { hasText: 'JONAS WEBER' }).count() === 0,
          'the passenger who matches no entry raised no alert');

    // The flags as the screener published them: what the page must show.
    const rows = await page.locator('#alerts-body tr.alert-row').count();
    const published = await readTopic(`${topics.flagsPrefix}border`, { max: rows, idleSeconds: 20 });
    const flag = published.find((f) => f.flag_id === flagId);
    check(flag !== undefined, `flag ${flagId} is on ${topics.flagsPrefix}border`, JSON.stringify(published.map((f) => f.flag_id)));

    const cells = await row.locator('td').allTextContents();
    check(cells[0].includes('High') && flag.severity === 'high', 'row: severity chip says High', cells[0]);
    check(cells[1].includes('AMINA KESLER'), 'row: subject name', cells[1]);
    check(cells[2].includes(`Watchlist: ${flag.watchlist.list_id}`), 'row: reason "Watchlist: <list>"', cells[2]);
    check(cells[3] === 'border', 'row: queue', cells[3]);
    check(cells[4] === Number(flag.reason.score).toFixed(3), 'row: score as in the flag', `${cells[4]} vs ${flag.reason.score}`);
    check(cells[5] === 'New', 'row: status New', cells[5]);
    check(/^\d+ (s|min)$/.test(cells[6]), 'row: age like "12 s"', cells[6]);
    const order = await page.$$eval('#alerts-body tr.alert-row', (trs) => trs.map((t) => t.dataset.flagId));
    check(earlier.every((id) => order.indexOf(id) > order.indexOf(flagId)),
          'newest first: the new alert is listed above the earlier traffic', JSON.stringify({ order, earlier, flagId }));
    await sleep(2100);
    const ageLater = await row.locator('td').nth(6).textContent();
    check(ageLater !== cells[6], 'row: the age ticks', `${cells[6]} -> ${ageLater}`);
    return { target: flagId, flags: { target: flag } };
  });

  await step('screenshot of the queue view', async () => {
    await page.mouse.move(5, 760);  // no hover effect in the picture
    await sleep(400);                // let transitions settle
    const shot = path.join(runDir, 'console-queue.png');
    await page.screenshot({ path: shot });
    check(fs.statSync(shot).size > 10000, `queue view saved to ${shot}`);
  });

  await step('open the alert: the explanation is the flag\'s', async () => {
    const flag = flags.target;
    await page.click(rowSelector(target));
    await page.waitForSelector('#detail-name');
    check(await page.textContent('#detail-name') === flag.subject.name, 'alert view: the subject\'s name', flag.subject.name);
    const detail = await page.textContent('#detail-body');
    const has = (text) => detail.includes(text);
    const expl = flag.reason.explanation;
    check(expl && typeof expl.summary === 'string', 'the flag carries an explanation', JSON.stringify(flag.reason));
    check(has(expl.summary), 'alert view: the explanation summary', expl.summary);
    check(has(expl.query_name) && has(expl.listed_name), 'alert view: which event name met which listed name',
          `${expl.query_name} -> ${expl.listed_name}`);
    const tokenRows = await page.$$eval('#detail-body table.tokens tbody tr',
                                        (rs) => rs.map((r) => Array.from(r.cells).map((c) => c.textContent)));
    check(tokenRows.length === expl.tokens.length && expl.tokens.length > 0, 'alert view: one row per token match',
          `${tokenRows.length} rows, ${expl.tokens.length} tokens`);
    expl.tokens.forEach((t, i) => {
      const r = tokenRows[i];
      check(r[0] === (t.query || '–') && r[1] === (t.listed || '–') && r[3] === Number(t.similarity).toFixed(3) &&
            r[4] === Number(t.weight).toFixed(3), `alert view: token ${t.query || '-'} ~ ${t.listed || '-'} (${t.how})`,
            JSON.stringify(r));
    });
    const featureRows = await page.$$eval('#detail-body table.features tbody tr',
                                          (rs) => rs.map((r) => Array.from(r.cells).map((c) => c.textContent)));
    check(featureRows.length === expl.features.length, 'alert view: one row per feature', JSON.stringify(featureRows));
    expl.features.forEach((f, i) => {
      const v = Number(f.contribution);
      const signed = v > 0 ? `+${v.toFixed(3)}` : v < 0 ? `\u2212${Math.abs(v).toFixed(3)}` : '0.000';
      check(featureRows[i][1].startsWith(signed) && featureRows[i][2] === (f.detail || '–'),
            `alert view: feature ${f.feature} ${signed}`, JSON.stringify(featureRows[i]));
    });
    check(has(flag.rule.id) && has(`v${flag.rule.version}`), 'alert view: rule id and version', `${flag.rule.id} v${flag.rule.version}`);
    check(has(flag.rule.legal_basis), 'alert view: legal basis', flag.rule.legal_basis);
    check(has(flag.rule.digest), 'alert view: rule digest', flag.rule.digest);
    for (const l of flag.lists) check(has(`${l.list_id} v${l.version}`), `alert view: list version ${l.list_id} v${l.version}`);
    check(has(flag.subject.date_of_birth) && has(flag.subject.document_number), 'alert view: the subject\'s minimal data');
    const lead = await page.textContent('#detail-actions');
    check(/lead for your review, not a decision/i.test(lead), 'the action area says a flag is a lead, not a decision');
    check(/lead.*not decisions/i.test(await page.textContent('.lead-banner')), 'the banner says flags are leads, not decisions');
  });

  await step('mark it a false positive with a comment', async () => {
    for (const a of ['confirmed_match', 'false_positive', 'escalate']) {
      check(await page.isDisabled(`#action-${a}`), `button ${a} is disabled while the comment is empty`);
    }
    await page.fill('#review-comment', '   ');
    check(await page.isDisabled('#action-false_positive'), 'a blank comment does not enable the buttons');
    await page.fill('#review-comment', reviewComment);
    check(await page.isEnabled('#action-false_positive'), 'typing a comment enables the buttons');
    await page.mouse.move(5, 760);  // no hover effect in the picture
    await sleep(400);                // let transitions settle
    const shot = path.join(runDir, 'console-alert.png');
    await page.screenshot({ path: shot });
    check(fs.statSync(shot).size > 10000, `alert view saved to ${shot}`);
    await page.click('#action-false_positive');
    await page.waitForSelector('#review-history li[data-action="false_positive"]', { timeout: 15000 });
    const history = await page.textContent('#review-history');
    check(history.includes(reviewComment) && history.includes(officerBorder), 'the review history shows the comment and the officer');
    await page.waitForSelector('#detail-body .d-chips [data-status="false_positive"]');
    passed('the alert\'s status is now False positive');
    await page.selectOption('#filter-status', '');
    await page.waitForSelector(`${rowSelector(target)} [data-status="false_positive"]`);
    passed('the queue row shows the new status');
  });

  await step('a rule\'s alert shows the rule and the event fields it declared', async () => {
    const published = await readTopic(`${topics.flagsPrefix}border`, { max: 6, idleSeconds: 20 });
    const flag = published.find((f) => f.rule && f.rule.id === RULE_ID);
    check(flag !== undefined && flag.reason.code === 'rule_match', `the rule's flag is on ${topics.flagsPrefix}border`);
    await page.click(rowSelector(flag.flag_id));
    await page.waitForFunction((name) => document.querySelector('#detail-name')?.textContent === name &&
                                         document.querySelector('#detail-body table.fields') !== null, flag.subject.name);
    const detail = await page.textContent('#detail-body');
    check(detail.includes(RULE_ID) && detail.includes(flag.rule.legal_basis) && detail.includes(flag.rule.digest),
          'alert view: the rule id, legal basis and digest');
    const fieldRows = await page.$$eval('#detail-body table.fields tbody tr',
                                        (rs) => rs.map((r) => Array.from(r.cells).map((c) => c.textContent)));
    check(JSON.stringify(fieldRows) === JSON.stringify(flag.event_fields.map((f) => [f.field, f.value])),
          'alert view: the event fields, exactly as the flag carries them', JSON.stringify(fieldRows));
    await page.screenshot({ path: path.join(runDir, 'console-rule-alert.png') });
  });

  await step('the decision is on the dispositions topic and in the audit trail', async () => {
    // Two decisions were made in this run: the escalation and this one.
    const records = await readTopic(topics.dispositions, { max: 2, idleSeconds: 30 });
    const rec = records.find((r) => r.flag_id === target);
    check(rec !== undefined, `a disposition record for ${target} is on ${topics.dispositions}`, JSON.stringify(records));
    check(rec.action === 'false_positive' && rec.comment === reviewComment && rec.actor === officerBorder,
          'the record holds the action, the comment and the officer', JSON.stringify(rec));
    const audit = JSON.parse(await cli(['audit', '--format', 'json', '--object', target, '--limit', '0']));
    const entries = audit.entries || [];
    const view = entries.find((e) => e.action === 'view' && e.actor === officerBorder && e.object_id === target);
    const disp = entries.find((e) => e.action === 'disposition' && e.actor === officerBorder && e.object_id === target);
    check(view !== undefined, 'crosscheck audit lists the officer\'s view of the alert', JSON.stringify(entries));
    check(disp !== undefined, 'crosscheck audit lists the officer\'s disposition', JSON.stringify(entries));
  });
  await border.context.close();

  // --- an officer of another queue ----------------------------------------------------------
  await step('an officer of queue customs does not see the border alert', async () => {
    const customs = await openBrowser('customs');
    const p = customs.page;
    await p.goto(`${consoleUrl}/login.html`);
    await p.fill('#login-user', officerCustoms);
    await p.fill('#login-token', 'cct_wrong_token');
    await p.click('#login-submit');
    await p.waitForSelector('#login-error:not([hidden])');
    check(/not valid/.test(await p.textContent('#login-error')), 'a wrong token is refused with a clear message');
    await signIn(p, consoleUrl, officerCustoms, tokens.customs);
    await p.selectOption('#filter-status', '');  // every status: the absence is not a filter's doing
    await p.locator('#alerts-body tr.alert-row', { hasText: 'Black Tide Logistics' }).waitFor({ timeout: 45000 });
    passed('the customs officer sees the customs alert (Black Tide Logistics B.V.)');
    check(await p.locator(rowSelector(target)).count() === 0, 'the border alert is not in the customs officer\'s queue');
    const rows = await p.$$eval('#alerts-body tr.alert-row td:nth-child(4)', (tds) => tds.map((t) => t.textContent));
    check(rows.length > 0 && rows.every((q) => q === 'customs'), 'every row is of queue customs', JSON.stringify(rows));
    const status = await p.evaluate(async (id) => (await fetch(`/api/alerts/${id}`)).status, target);
    check(status === 404, 'GET /api/alerts/<border alert> answers 404 to the customs officer', String(status));

    // Revoking the account's tokens and sessions ends the open page too: the server closes its
    // WebSocket at the next credential check and the page goes back to sign-in.
    await cli(['users', 'revoke', officerCustoms, '--all']);
    await p.waitForURL(`${consoleUrl}/login.html`, { timeout: 15000 });
    passed('after `crosscheck users revoke --all` the open console page is sent back to sign-in');
    await customs.context.close();
  });

  check(pageProblems.length === 0, 'no script errors or CSP violations in the pages', pageProblems.join('\n'));

  if (process.env.CROSSCHECK_E2E_SCREENSHOTS === '1') {
    for (const name of ['console-queue.png', 'console-alert.png']) {
      fs.copyFileSync(path.join(runDir, name), path.join(root, 'docs', name));
      say(`copied ${name} to docs/`);
    }
  }
}

// ------------------------------------------------------------------------------------------------

let exitCode = 0;
let cleaning = null;

// Idempotent: a signal and the end of main() may both ask; both wait for the same clean-up.
function cleanup() {
  if (!cleaning) cleaning = doCleanup();
  return cleaning;
}

async function doCleanup() {
  for (const c of contexts) await c.close().catch(() => {});
  await stopChildren();
  // The browser profiles are tens of MB each; the logs and screenshots stay.
  for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  if (redisAddress) {
    try {
      const n = await redisDeletePrefix(redisAddress, redisPrefix);
      say(`removed ${n} Redis keys under ${redisPrefix}`);
    } catch (e) {
      say(`could not remove the Redis keys under ${redisPrefix}: ${e.message}`);
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    say(`${sig}: stopping`);
    await cleanup();
    process.exit(1);
  });
}

// ctest kills at 300 s; fail a little earlier with the logs instead.
const watchdog = setTimeout(async () => {
  say('console_browser_test FAILED: no result after 270 s');
  for (const c of children) say(`---- ${c.name} log (${c.logPath})\n${logTail(c.logPath)}`);
  await cleanup();
  process.exit(1);
}, 270000);
watchdog.unref();

try {
  await main();
  say(`console_browser_test PASSED: ${checks} checks`);
} catch (e) {
  exitCode = 1;
  say(`console_browser_test FAILED: ${e.stack || e.message}`);
  for (const c of contexts) {
    for (const p of c.pages()) {
      const shot = path.join(runDir, `failure-${contexts.indexOf(c)}.png`);
      await p.screenshot({ path: shot }).then(() => say(`screenshot of the failure: ${shot}`), () => {});
    }
  }
  if (pageProblems.length) say(`page problems:\n${pageProblems.join('\n')}`);
  for (const c of children) say(`---- ${c.name} log (${c.logPath})\n${logTail(c.logPath)}`);
}
await cleanup();
say(`logs and screenshots: ${runDir}`);
process.exit(exitCode);

#!/usr/bin/env node
// Crosscheck operations dashboard: end-to-end test in a real browser.
//
// Debian's chromium (headless) driven by playwright-core against the real programs of the build on
// the run's Kafka and Redis, nothing mocked (plumbing in support.mjs):
//   1. unique topics and Redis prefix; the demo watchlist is published and a rule with a cap of one
//      flag per hour (max_flags_per_hour: 1) is put, approved and activated by two people;
//   2. an account with only the ops role is created; two screeners (one consumer group) and a
//      console whose ops.screeners lists both start;
//   3. /ops.html without a session sends the browser to sign-in; signing in as ops lands on the
//      dashboard (CSP default-src 'self'), and so does opening / as ops; both screeners show as up;
//   4. itineraries are produced continuously (`crosscheck produce -`, fed by this test), some with a
//      passenger on the demo list; the consumption and latency charts move (their paths change,
//      without a reload), the rates are not zero, flags per queue appear, watchlist versions show;
//   5. the capped rule goes over its cap: its row is highlighted "Over cap" and the fleet table
//      counts it; a screenshot at 1366x768 is written (docs/ops-dashboard.png with
//      CROSSCHECK_E2E_SCREENSHOTS=1);
//   6. one screener is stopped: the dashboard shows it down, with the reason, while the other stays up;
//   7. no page raised a script error or a CSP violation.
//
// Usage: node tests/e2e/ops_dashboard.test.mjs [BUILD_DIR]; environment as console.test.mjs.
// Exit codes: 0 passed, 1 failed, 77 skipped (ctest SKIP_RETURN_CODE).

import fs from 'node:fs';
import path from 'node:path';

import { QUEUES, createRun, freePort, root, screenerConfigYaml, sleep, testTopics } from './support.mjs';

const run = await createRun('ops_dashboard_browser_test');
const { say, check, passed, step, binDir, kafkaAddress, redisAddress, stem, runDir, redisPrefix } = run;

const topics = testTopics(stem);
const opsUser = 'e2e-ops';
const RULE_ID = 'e2e-ops-tiny-cap';
const cliConfig = path.join(runDir, 'screener-1.yaml');
const cli = (args, opts) => run.cli(cliConfig, args, opts);

// ------------------------------------------------------------------------------------------------
// Configurations (keys: ops/config/screener.yaml, ops/config/console.yaml)

function writeScreenerConfig(file, n, httpPort) {
  fs.writeFileSync(file, screenerConfigYaml({
    instanceId: `${stem}-screener-${n}`, groupId: `${stem}-screeners`, kafkaAddress, redisAddress, redisPrefix, topics,
    httpPort,
  }));
}

function writeConsoleConfig(file, httpPort, screenerPorts) {
  fs.writeFileSync(file, [
    `instance_id: ${stem}-console`,
    'kafka:',
    `  bootstrap_servers: ${kafkaAddress}`,
    `  group_id: ${stem}-console`,
    '  topic_partitions: 2',
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
    'ops:',
    '  screeners:',
    ...screenerPorts.map((p, i) => `    - {name: screener-${i + 1}, url: "http://127.0.0.1:${p}/metrics"}`),
    '  scrape_interval_ms: 1000',
    '  scrape_timeout_ms: 800',
    '  history_seconds: 180',
    '  rate_window_seconds: 10',
    '',
  ].join('\n'));
}

// ------------------------------------------------------------------------------------------------
// Events (schemas/json/itinerary.schema.json); listed names are those of the demo watchlist.

function isoSeconds(ms) { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }

function passenger(given, surname, dob, sex, nat, doc) {
  return {
    surname, given_names: given, date_of_birth: dob, sex, nationality: nat,
    document: { type: 'P', number: doc, issuing_state: nat, expiry: '2031-05-31' },
    embarkation: 'VIE', debarkation: 'FRA', bags: 1,
  };
}

let eventNo = 0;
// Mostly travellers on no list; every tenth itinerary carries Viktor DRAGAN (demo entry
// DEMO-P-0001, same passport number): a certain hit, which the capped rule also matches. Every
// 40th record is not JSON at all and goes to the dead-letter topic.
function nextRecord() {
  eventNo += 1;
  if (eventNo % 40 === 0) return `not an itinerary ${eventNo}`;
  const now = Date.now();
  const passengers = [passenger('LENA', 'HOFFMANN', '1994-06-02', 'F', 'DEU', `C01X${String(eventNo).padStart(5, '0')}`)];
  if (eventNo % 10 === 0) passengers.push(passenger('VIKTOR', 'DRAGAN', '1971-04-12', 'M', 'ROU', 'RX4417208'));
  return JSON.stringify({
    schema_version: '1.0', event_id: `${stem}-itn-${eventNo}`, event_time: isoSeconds(now),
    flight: { carrier: 'OS', number: String(100 + (eventNo % 800)), departure_airport: 'VIE', arrival_airport: 'FRA',
              scheduled_departure: isoSeconds(now + 6 * 3600e3), scheduled_arrival: isoSeconds(now + 7.5 * 3600e3) },
    pnr: { locator: `OP${String(eventNo).padStart(4, '0')}`, booking_date: isoDate(now - 20 * 86400e3), form_of_payment: 'card' },
    passengers,
  });
}

function ruleJson() {
  const now = Date.now();
  return {
    id: RULE_ID,
    applies_to: ['itinerary'],
    when: { all: [{ hit: { role: 'passenger', lists: [], min_score: 0.8 } }] },
    severity: 'low',
    queue: 'border',
    legal_basis: 'National PNR act sec. 4 (test rule)',
    purpose: 'A rule with a cap of one flag per hour, so that the dashboard shows a rule over its cap.',
    owner: 'e2e-rule-author',
    data_categories: [],
    valid_from: isoSeconds(now - 86400e3),
    expires: isoSeconds(now + 60 * 86400e3),
    max_flags_per_hour: 1,
    max_flag_share: 1,
    mode: 'enforce',
  };
}

// ------------------------------------------------------------------------------------------------
// Page probes

function section(name) { return `section.screener[data-name="${name}"]`; }

// What the charts of every screener currently draw: the `d` of each series path.
async function chartPaths(page) {
  return page.$$eval('section.screener', (ss) => ss.map((s) => ({
    name: s.dataset.name,
    latency: Array.from(s.querySelectorAll('.panel-latency path.series')).map((p) => p.getAttribute('d')).join('|'),
    consumed: Array.from(s.querySelectorAll('.panel-consumed path.series')).map((p) => p.getAttribute('d')).join('|'),
    consumedTotal: (s.querySelector('.panel-consumed .panel-headline') || {}).textContent || '',
    p99: (s.querySelector('.panel-latency .legend-item[data-series="p99"] .legend-value') || {}).textContent || '',
  })));
}

function rate(text) {
  const m = /([0-9.]+)(k?)\/s/.exec(text || '');
  return m ? Number(m[1]) * (m[2] ? 1000 : 1) : 0;
}

// ------------------------------------------------------------------------------------------------

async function main() {
  say(`run directory ${runDir}`);
  say(`binaries ${binDir}; Kafka ${kafkaAddress}; Redis ${redisAddress} (prefix ${redisPrefix})`);
  const screenerPorts = [await freePort(), await freePort()];
  const consolePort = await freePort();
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const screenerConfigs = screenerPorts.map((p, i) => {
    const file = path.join(runDir, `screener-${i + 1}.yaml`);
    writeScreenerConfig(file, i + 1, p);
    return file;
  });
  const consoleConfig = path.join(runDir, 'console.yaml');
  writeConsoleConfig(consoleConfig, consolePort, screenerPorts);

  await step('create topics, publish the demo watchlist, activate a rule capped at one flag per hour', async () => {
    await cli(['topics', '--partitions', '2']);
    const out = await cli(['watchlist', 'load', path.join(root, 'tests/fixtures/watchlists/demo.json')]);
    check(/published demo-national version \d+/.test(out), 'crosscheck watchlist load published demo-national', out.trim());
    const file = path.join(runDir, 'rule.json');
    fs.writeFileSync(file, JSON.stringify(ruleJson(), null, 2) + '\n');
    await cli(['rules', 'put', file], { actor: 'e2e-rule-author' });
    await cli(['rules', 'approve', RULE_ID, '1', '--comment', 'Reviewed for the dashboard test.'], { actor: 'e2e-rule-approver' });
    await cli(['rules', 'activate', RULE_ID, '1'], { actor: 'e2e-rule-approver' });
    const shown = await cli(['rules', '--format', 'json', 'show', RULE_ID, '1']);
    check(/"state":"active"/.test(shown.replace(/\s/g, '')), `rule ${RULE_ID} v1 is active`, shown.trim().slice(0, 300));
  });

  const token = await step('create an account with only the ops role', async () => {
    await cli(['users', 'add', opsUser, '--role', 'ops']);
    const out = await cli(['users', 'token', opsUser, '--format', 'json']);
    const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
    const t = line ? JSON.parse(line).token : undefined;
    check(typeof t === 'string' && t.length > 0, 'crosscheck users token issued a token');
    return t;
  });

  const screeners = await step('start two screeners and the console', async () => {
    const procs = screenerConfigs.map((cfg, i) =>
      run.startChild(`screener-${i + 1}`, [path.join(binDir, 'crosscheck-screener'), '--config', cfg]));
    const consoleProc = run.startChild('console', [path.join(binDir, 'crosscheck-console'), '--config', consoleConfig]);
    for (let i = 0; i < procs.length; i++) {
      await run.waitReady(procs[i], `http://127.0.0.1:${screenerPorts[i]}/readyz`, 60000);
      passed(`screener-${i + 1} ready on port ${screenerPorts[i]}`);
    }
    await run.waitReady(consoleProc, `${consoleUrl}/healthz`, 60000);
    passed(`console up on port ${consolePort}`);
    return procs;
  });

  const { page } = await run.openBrowser('ops');
  await step('without a session the dashboard sends the browser to sign-in; an ops account lands on it', async () => {
    const res = await page.goto(`${consoleUrl}/ops.html`);
    const csp = (res && res.headers()['content-security-policy']) || '';
    check(/default-src 'self'/.test(csp), 'the dashboard is served with CSP default-src \'self\'', csp);
    await page.waitForURL(`${consoleUrl}/login.html`);
    passed('no session: sent to the sign-in page');
    await page.fill('#login-user', opsUser);
    await page.fill('#login-token', token);
    await page.click('#login-submit');
    await page.waitForURL(`${consoleUrl}/ops.html`, { timeout: 15000 });
    passed('signing in as ops lands on /ops.html');
    await page.goto(`${consoleUrl}/`);
    await page.waitForURL(`${consoleUrl}/ops.html`, { timeout: 15000 });
    passed('an ops account opening / is sent on to /ops.html (it has no alert queues)');
    await page.waitForSelector('#conn[data-state="live"]');
    check(await page.textContent('#who-user') === opsUser, 'the dashboard shows the account and is live');
    for (const name of ['screener-1', 'screener-2']) {
      await page.waitForSelector(`${section(name)}[data-up="true"]`, { timeout: 20000 });
      passed(`${name} is shown up`);
    }
    const rows = await page.$$eval('#fleet-body tr', (trs) => trs.map((t) => t.dataset.name));
    check(JSON.stringify(rows) === '["screener-1","screener-2"]', 'the fleet table lists both screeners', JSON.stringify(rows));
    const lists = await page.$$eval(`${section('screener-1')} .panel-watchlists tbody tr`, (trs) => trs.map((t) => t.textContent));
    check(lists.some((t) => t.includes('demo-national') && /v\d+/.test(t)), 'the watchlist version is shown', JSON.stringify(lists));
  });

  // Events flow from here on through one long-running producer, at a rate that swings between
  // about 4 and 20 a second (so that the charts have a shape).
  const producer = run.startChild('producer', [path.join(binDir, 'crosscheck'), '-c', cliConfig, 'produce',
                                               '--topic', topics.itineraries, '-'], { stdin: 'pipe' });
  let producing = true;
  const flowStarted = Date.now();
  const feeding = (async () => {
    while (producing && !producer.exited) {
      producer.child.stdin.write(nextRecord() + '\n');
      const perSecond = 12 + 8 * Math.sin((Date.now() - flowStarted) / 9000);
      await sleep(1000 / perSecond);
    }
  })();

  await step('events flow: the charts move without a reload', async () => {
    await page.evaluate(() => { window.__e2eSamePage = true; });
    const busy = await run.eventually('a screener shows a non-zero consumption rate and a p99 latency', async () => {
      const now = await chartPaths(page);
      return now.find((s) => rate(s.consumedTotal) > 0 && /\d/.test(s.p99)) || null;
    }, 60000, 500);
    passed(`${busy.name}: consuming ${busy.consumedTotal}, p99 ${busy.p99}`);
    const before = (await chartPaths(page)).find((s) => s.name === busy.name);
    await sleep(3500);
    const after = (await chartPaths(page)).find((s) => s.name === busy.name);
    check(after.consumed !== before.consumed, `${busy.name}: the consumption chart moved`);
    check(after.latency !== before.latency, `${busy.name}: the latency chart moved`);
    check(await page.evaluate(() => window.__e2eSamePage === true), 'the charts moved without a page reload');
    await run.eventually('flags per queue appear', async () => {
      const items = await page.$$eval('section.screener .panel-flags .legend-item', (is) => is.map((i) => i.dataset.series));
      return items.includes('border');
    }, 30000, 500);
    const flags = await page.$$eval('section.screener .panel-flags .legend-item', (items) => items.map((i) => i.textContent));
    passed(`flags per queue are listed (${flags.join(', ')})`);
  });

  await step('the rule capped at one flag per hour is highlighted over its cap', async () => {
    const row = `section.screener tr.is-over-cap[data-rule="${RULE_ID}"]`;
    await page.waitForSelector(row, { timeout: 60000 });
    const text = await page.textContent(row);
    check(/Over cap/.test(text), 'the over-cap row says "Over cap" in words', text);
    const colour = await page.$eval(`${row} td`, (td) => getComputedStyle(td).backgroundColor);
    const normal = await page.$eval(`section.screener tr.rule-row:not(.is-over-cap) td`, (td) => getComputedStyle(td).backgroundColor)
      .catch(() => 'rgba(0, 0, 0, 0)');
    check(colour !== normal, 'and is highlighted in colour', `${colour} vs ${normal}`);
    const counted = await page.$$eval('#fleet-body tr', (trs) => trs.map((t) => Number(t.cells[9].textContent)));
    check(counted.some((n) => n >= 1), 'the fleet table counts a rule over cap', JSON.stringify(counted));
  });

  await step('dead letters are listed by reason', async () => {
    const row = 'section.screener .panel-deadletter tr[data-reason="json_syntax"]';
    await page.waitForSelector(row, { timeout: 30000 });
    const cells = await page.$$eval(row, (trs) => trs.map((t) => Array.from(t.cells).map((c) => c.textContent)));
    check(cells.some((c) => Number(c[2]) >= 1), 'the records that are not JSON are counted under json_syntax', JSON.stringify(cells));
  });

  await step('screenshot of the dashboard at 1366x768', async () => {
    // Let the charts fill for a while first: the picture is the documentation's.
    const flowing = Date.now() - flowStarted;
    if (flowing < 50000) await sleep(50000 - flowing);
    await page.evaluate(() => { document.getElementById('ops-main').scrollTop = 0; });
    await page.mouse.move(1360, 760);
    await sleep(1500);  // one more poll, so that the charts end at "now"
    const shot = path.join(runDir, 'ops-dashboard.png');
    await page.screenshot({ path: shot });
    check(fs.statSync(shot).size > 20000, `dashboard saved to ${shot}`);
  });

  await step('a screener that stops is shown down; the other stays up', async () => {
    await run.stopChild(screeners[1]);
    await page.waitForSelector(`${section('screener-2')}[data-up="false"]`, { timeout: 15000 });
    const problem = await page.textContent(`${section('screener-2')} .screener-problem`);
    check(/Not answering: .*connect failed/.test(problem), 'screener-2 is down, with the reason', problem);
    check(/Down/.test(await page.textContent('#fleet-body tr[data-name="screener-2"]')), 'the fleet table says Down');
    check(await page.$(`${section('screener-1')}[data-up="true"]`) !== null, 'screener-1 is still up');
  });

  producing = false;
  await feeding;
  producer.child.stdin.end();
  check(run.pageProblems.length === 0, 'no script errors or CSP violations in the page', run.pageProblems.join('\n'));

  if (process.env.CROSSCHECK_E2E_SCREENSHOTS === '1') {
    fs.copyFileSync(path.join(runDir, 'ops-dashboard.png'), path.join(root, 'docs', 'ops-dashboard.png'));
    say('copied ops-dashboard.png to docs/');
  }
}

await run.runMain(main);

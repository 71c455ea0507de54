// Shared plumbing of the browser tests (tests/e2e/*.test.mjs): output and checks, the
// prerequisites (playwright-core, Debian's chromium, the servers, the built programs) with the
// skip-or-fail rule, child processes with their logs in a run directory, the `crosscheck` CLI,
// polling, free ports, deleting the run's Redis keys, and a browser per user with a fresh profile.
// Both browser tests import it; ops_dashboard.test.mjs runs on createRun, console.test.mjs (the
// older) keeps its own run plumbing and shares the topic names and the screener configuration.
//
//   const run = await createRun('ops_dashboard_browser_test');
//   const topics = testTopics(run.stem);
//
// Exit codes of a test: 0 passed, 1 failed, 77 skipped (ctest SKIP_RETURN_CODE).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SKIP = 77;
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function httpStatus(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.status;
  } catch {
    return 0;
  }
}

export function logTail(file, bytes = 6000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > bytes ? '...' + text.slice(-bytes) : text;
  } catch {
    return '(no log)';
  }
}

// A minimal Redis client (RESP2) for the one thing a test does itself: deleting its keys.
export async function redisDeletePrefix(address, prefix) {
  const [host, portText] = address.split(':');
  const sock = net.createConnection({ host, port: Number(portText) });
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let buf = Buffer.alloc(0);
  let waiting = null;
  sock.on('data', (d) => { buf = Buffer.concat([buf, d]); if (waiting) waiting(); });
  function parse(pos) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const type = String.fromCharCode(buf[pos]);
    const line = buf.toString('utf8', pos + 1, eol);
    if (type === '+' || type === '-' || type === ':') return { value: type === '-' ? new Error(line) : line, end: eol + 2 };
    if (type === '$') {
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return null;
      return { value: buf.toString('utf8', eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    if (type === '*') {
      const n = Number(line);
      const items = [];
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parse(p);
        if (!r) return null;
        items.push(r.value);
        p = r.end;
      }
      return { value: items, end: p };
    }
    throw new Error(`unexpected RESP type ${type}`);
  }
  async function command(...args) {
    let msg = `*${args.length}\r\n`;
    for (const a of args) msg += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    sock.write(msg);
    for (;;) {
      const r = parse(0);
      if (r) {
        buf = buf.subarray(r.end);
        if (r.value instanceof Error) throw r.value;
        return r.value;
      }
      await new Promise((res) => { waiting = res; });
      waiting = null;
    }
  }
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await command('SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    if (keys.length) deleted += Number(await command('DEL', ...keys));
    cursor = next;
  } while (cursor !== '0');
  sock.end();
  return deleted;
}

const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                      '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Checks the prerequisites (exits 77 saying why, or 1 when they are required) and returns the
// run's helpers. `name`: the ctest name, used in messages and the run directory.
// The run's topic names: unique per run, so runs on one broker never meet.
export function testTopics(stem) {
  return {
    itineraries: `${stem}-itineraries`,
    manifests: `${stem}-manifests`,
    payments: `${stem}-payments`,
    deadletter: `${stem}-deadletter`,
    flagsPrefix: `${stem}-flags.`,
    audit: `${stem}-audit`,
    dispositions: `${stem}-dispositions`,
    consoleDeadletter: `${stem}-console-deadletter`,
  };
}

// The operator queues the demo rules and watchlists flag to.
export const QUEUES = ['border', 'customs', 'payments', 'rule-governance'];

// The `kafka:` section of a service's configuration for a browser test (the same keys in
// ops/config/screener.yaml and console.yaml): a short commit interval, so what the test produces
// shows within a second, and a short session timeout, so a member joining a group is given
// partitions quickly.
export function kafkaConfigLines(kafkaAddress, groupId) {
  return [
    'kafka:',
    `  bootstrap_servers: ${kafkaAddress}`,
    `  group_id: ${groupId}`,
    '  commit_interval_ms: 200',
    '  create_topics: true',
    '  topic_partitions: 2',
    '  consumer_properties:',
    '    session.timeout.ms: "6000"',
    '    heartbeat.interval.ms: "1000"',
  ];
}

// A screener's configuration (keys: ops/config/screener.yaml) for a browser test, with short poll
// intervals, so a list or rule the test changes is live within a second.
export function screenerConfigYaml({ instanceId, groupId, kafkaAddress, redisAddress, redisPrefix, topics, httpPort }) {
  return [
    `instance_id: ${instanceId}`,
    ...kafkaConfigLines(kafkaAddress, groupId),
    'topics:',
    `  itineraries: ${topics.itineraries}`,
    `  manifests: ${topics.manifests}`,
    `  payments: ${topics.payments}`,
    `  deadletter: ${topics.deadletter}`,
    `  flags_prefix: ${topics.flagsPrefix}`,
    'redis:',
    `  address: ${redisAddress}`,
    `  key_prefix: "${redisPrefix}"`,
    'watchlists:',
    '  poll_interval_ms: 200',
    'rules:',
    '  poll_interval_ms: 200',
    `  audit_topic: ${topics.audit}`,
    '  watchlist_default:',
    '    legal_basis: "Border Screening Act s. 12 (test configuration)"',
    'http:',
    '  address: 127.0.0.1',
    `  port: ${httpPort}`,
    '',
  ].join('\n');
}

export async function createRun(name) {
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6) + 's';
  const say = (text) => process.stdout.write(`[${elapsed()}] ${text}\n`);
  let checks = 0;
  const check = (condition, what, detail) => {
    if (!condition) throw new Error(`check failed: ${what}${detail === undefined ? '' : `\n  ${detail}`}`);
    checks += 1;
    say(`  ok   ${what}`);
  };

  const buildDir = path.resolve(process.env.CROSSCHECK_BUILD_DIR || process.argv[2] || path.join(root, 'build'));
  const binDir = process.env.CROSSCHECK_BIN_DIR || path.join(buildDir, 'bin');
  const chromiumPath = process.env.CROSSCHECK_CHROMIUM || '/usr/bin/chromium';
  const requireBrowser = process.env.CROSSCHECK_REQUIRE_BROWSER === '1';
  const requireServers = process.env.CROSSCHECK_REQUIRE_SERVERS === '1';
  const missing = (why, required, how) => {
    if (required) {
      process.stdout.write(`${name} FAILED: ${why} (${how})\n`);
      process.exit(1);
    }
    process.stdout.write(`${name} SKIPPED: ${why}; ${how}\n`);
    process.exit(SKIP);
  };

  if (Number(process.versions.node.split('.')[0]) < 20) {
    missing(`Node.js ${process.versions.node} is older than playwright-core needs (20 or later)`, requireBrowser,
            'install Node.js 20');
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
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
      process.stdout.write(`${name} FAILED: ${path.join(binDir, exe)} is missing: build the project ` +
                           `(cmake --build ${buildDir}) or point CROSSCHECK_BUILD_DIR at a build\n`);
      process.exit(1);
    }
  }

  const stem = `e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  const runBase = process.env.CROSSCHECK_TEST_LOG_DIR || process.env.CROSSCHECK_RUN_DIR || os.tmpdir();
  const runDir = path.join(runBase, `${name}-${stem}`);
  fs.mkdirSync(runDir, { recursive: true });
  const redisPrefix = `cctest:${stem}:`;

  const children = [];
  // `stdin: 'pipe'` keeps the child's standard input open for the test to write to.
  const startChild = (childName, args, { stdin = 'ignore' } = {}) => {
    const logPath = path.join(runDir, `${childName}.log`);
    const fd = fs.openSync(logPath, 'a');
    const child = spawn(args[0], args.slice(1), { stdio: [stdin, fd, fd], env: process.env });
    fs.closeSync(fd);
    const entry = { name: childName, child, logPath, exited: null };
    child.on('exit', (code, signal) => { entry.exited = { code, signal }; });
    if (child.stdin) child.stdin.on('error', () => {});  // a child that exits early: the test says so
    children.push(entry);
    return entry;
  };
  const stopChild = async (entry, signal = 'SIGTERM') => {
    if (entry.exited) return;
    entry.child.kill(signal);
    const deadline = Date.now() + 15000;
    while (!entry.exited && Date.now() < deadline) await sleep(100);
    if (!entry.exited) entry.child.kill('SIGKILL');
  };

  const eventually = async (what, fn, timeoutMs, everyMs = 200) => {
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
  };

  const waitReady = (entry, url, timeoutMs) => eventually(`${entry.name} answers 200 on ${url}`, async () => {
    if (entry.exited) throw new Error(`${entry.name} exited (${JSON.stringify(entry.exited)}):\n${logTail(entry.logPath)}`);
    return (await httpStatus(url)) === 200;
  }, timeoutMs);

  // Runs `crosscheck -c <config> ARGS...`; resolves stdout, rejects with stderr on a non-zero exit.
  const cli = (config, args, { timeoutMs = 60000, actor = 'e2e-admin' } = {}) => new Promise((resolve, reject) => {
    const argv = ['-c', config, ...args];
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

  const contexts = [];
  const profiles = [];
  const pageProblems = [];
  // A browser of its own per user with a fresh profile (--user-data-dir): nothing is shared.
  const openBrowser = async (who) => {
    const profile = fs.mkdtempSync(path.join(runDir, `profile-${who}-`));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, args: BROWSER_ARGS,
      viewport: { width: 1366, height: 768 }, colorScheme: 'dark', locale: 'en-GB', timezoneId: 'UTC',
    });
    contexts.push(context);
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20000);
    page.on('pageerror', (e) => pageProblems.push(`${who}: page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`${who}: ${m.text()}`);
    });
    return { context, page };
  };

  let cleaning = null;
  const cleanup = () => {
    if (!cleaning) {
      cleaning = (async () => {
        for (const c of contexts) await c.close().catch(() => {});
        await Promise.all(children.map((c) => stopChild(c)));
        for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
        try {
          const n = await redisDeletePrefix(redisAddress, redisPrefix);
          say(`removed ${n} Redis keys under ${redisPrefix}`);
        } catch (e) {
          say(`could not remove the Redis keys under ${redisPrefix}: ${e.message}`);
        }
      })();
    }
    return cleaning;
  };

  // Runs `main`, then cleans up and exits with the result; prints the logs on failure. A watchdog
  // fails the test shortly before ctest's timeout, with the logs.
  const runMain = async (main, { timeoutMs = 270000 } = {}) => {
    for (const sig of ['SIGINT', 'SIGTERM']) {
      process.on(sig, async () => {
        say(`${sig}: stopping`);
        await cleanup();
        process.exit(1);
      });
    }
    const watchdog = setTimeout(async () => {
      say(`${name} FAILED: no result after ${timeoutMs / 1000} s`);
      for (const c of children) say(`---- ${c.name} log (${c.logPath})\n${logTail(c.logPath)}`);
      await cleanup();
      process.exit(1);
    }, timeoutMs);
    watchdog.unref();
    let exitCode = 0;
    try {
      await main();
      say(`${name} PASSED: ${checks} checks`);
    } catch (e) {
      exitCode = 1;
      say(`${name} FAILED: ${e.stack || e.message}`);
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
  };

  return {
    say, check, passed: (what) => check(true, what),
    step: async (title, fn) => {
      say(`STEP ${title}`);
      const t0 = Date.now();
      const out = await fn();
      say(`     done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return out;
    },
    binDir, kafkaAddress, redisAddress, stem, runDir, redisPrefix,
    startChild, stopChild, children, eventually, waitReady, cli, openBrowser, pageProblems, runMain,
  };
}

"""Shared pieces of the integration tests in tests/ops/: the run's servers, child processes, the
real `crosscheck` CLI, configurations for a screener and a console with names of their own, HTTP.

The tests run the built programs (crosscheck, crosscheck-screener, crosscheck-console) against the
Kafka broker and Redis of the test run (CROSSCHECK_TEST_KAFKA / CROSSCHECK_TEST_REDIS, started by
tests/run). Without them a test exits 77 (ctest: skipped) saying so, or fails when
CROSSCHECK_REQUIRE_SERVERS=1. Every run uses its own topics, consumer groups and Redis key prefix,
and removes its Redis keys afterwards.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
STARTED = time.monotonic()


def say(text):
    sys.stdout.write(f"[{time.monotonic() - STARTED:6.1f}s] {text}\n")
    sys.stdout.flush()


class TestFailure(Exception):
    pass


def check(condition, what, detail=None):
    if not condition:
        raise TestFailure(f"check failed: {what}" + (f"\n  {detail}" if detail is not None else ""))
    say(f"  ok   {what}")


def skip_or_fail(test, why, how):
    """Exit 77 (skipped) with the reason, or 1 when CROSSCHECK_REQUIRE_SERVERS=1."""
    if os.environ.get("CROSSCHECK_REQUIRE_SERVERS") == "1":
        print(f"{test} FAILED: {why} but CROSSCHECK_REQUIRE_SERVERS=1 ({how})")
        sys.exit(1)
    print(f"{test} SKIPPED: {why}; {how}")
    sys.exit(SKIP)


def require_servers(test):
    kafka, redis = os.environ.get("CROSSCHECK_TEST_KAFKA"), os.environ.get("CROSSCHECK_TEST_REDIS")
    if not kafka or not redis:
        skip_or_fail(test, "CROSSCHECK_TEST_KAFKA and CROSSCHECK_TEST_REDIS are not both set",
                     "run through tests/run, or set them to host:port of a Kafka broker and a Redis server")
    return kafka, redis


def bin_dir():
    d = os.environ.get("CROSSCHECK_BIN_DIR") or os.path.join(ROOT, "build", "bin")
    for exe in ("crosscheck", "crosscheck-screener", "crosscheck-console"):
        if not os.access(os.path.join(d, exe), os.X_OK):
            print(f"FAILED: {os.path.join(d, exe)} is missing: build it or set CROSSCHECK_BIN_DIR")
            sys.exit(1)
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout, every=0.25):
    """Polls probe() until it returns a true value (returned), or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except TestFailure:
            raise
        except Exception as e:  # a probe that throws has not succeeded yet
            last = e
        if time.monotonic() > deadline:
            raise TestFailure(f"timed out after {timeout} s: {what}" + (f" (last error: {last})" if last else ""))
        time.sleep(every)


def http(url, token=None, timeout=5, method="GET", body=None):
    """-> (status, body text); status 0 when the connection failed."""
    req = urllib.request.Request(url, method=method, data=body)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError):
        return 0, ""


class Child:
    def __init__(self, name, argv, log_path, env=None):
        self.name, self.log_path = name, log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})}, start_new_session=True)

    def running(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=45):
        """Signals the process and waits; SIGKILL after timeout. Returns the exit code (-N: signal N)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def tail(self, n=4000):
        t = self.text()
        return t if len(t) <= n else "..." + t[-n:]


class Run:
    """One test run: unique names, a run directory, the child processes, the CLI."""

    def __init__(self, test):
        self.test = test
        self.kafka, self.redis = require_servers(test)
        self.bin = bin_dir()
        self.stem = f"{test.replace('_', '-')}-{os.getpid()}-{secrets.token_hex(3)}"
        base = os.environ.get("CROSSCHECK_TEST_LOG_DIR") or os.environ.get("CROSSCHECK_RUN_DIR") or "/tmp"
        self.dir = os.path.join(base, self.stem)
        os.makedirs(self.dir, exist_ok=True)
        self.prefix = f"cctest:{self.stem}:"
        self.topics = {k: f"{self.stem}-{k}" for k in ("itineraries", "manifests", "payments", "deadletter", "audit",
                                                       "dispositions", "console-deadletter")}
        self.flags_prefix = f"{self.stem}-flags."
        self.children = []
        self.screener_config = os.path.join(self.dir, "screener.yaml")
        self.console_config = os.path.join(self.dir, "console.yaml")
        say(f"run directory {self.dir}, Redis prefix {self.prefix}")

    # -- configurations (keys: ops/config/screener.yaml and console.yaml) --
    def write_screener_config(self, port, log_level="info", extra=""):
        t = self.topics
        with open(self.screener_config, "w") as f:
            f.write(f"""instance_id: {self.stem}-screener
log_level: {log_level}
kafka:
  bootstrap_servers: {self.kafka}
  group_id: {self.stem}-screener
  commit_interval_ms: 200
  create_topics: true
  topic_partitions: 2
  consumer_properties:
    session.timeout.ms: "6000"
    heartbeat.interval.ms: "1000"
topics:
  itineraries: {t['itineraries']}
  manifests: {t['manifests']}
  payments: {t['payments']}
  deadletter: {t['deadletter']}
  flags_prefix: {self.flags_prefix}
redis:
  address: {self.redis}
  key_prefix: "{self.prefix}"
watchlists:
  poll_interval_ms: 200
rules:
  poll_interval_ms: 200
  audit_topic: {t['audit']}
  watchlist_default:
    legal_basis: "Border Screening Act s. 12 (test configuration)"
http:
  address: 127.0.0.1
  port: {port}
{extra}""")

    def write_console_config(self, port, log_level="info"):
        t = self.topics
        with open(self.console_config, "w") as f:
            f.write(f"""instance_id: {self.stem}-console
kafka:
  bootstrap_servers: {self.kafka}
  group_id: {self.stem}-console
  commit_interval_ms: 200
  create_topics: true
  topic_partitions: 2
  consumer_properties:
    session.timeout.ms: "6000"
    heartbeat.interval.ms: "1000"
redis:
  address: {self.redis}
  key_prefix: "{self.prefix}"
http:
  address: 127.0.0.1
  port: {port}
  static_dir: {os.path.join(ROOT, 'services/console/web')}
console:
  queues: [border, customs, payments, rule-governance]
  flags_prefix: {self.flags_prefix}
  dispositions_topic: {t['dispositions']}
  deadletter_topic: {t['console-deadletter']}
  poll_interval_ms: 200
  outbox_interval_ms: 100
log:
  level: {log_level}
""")

    # -- processes --
    def start(self, name, argv, env=None):
        c = Child(name, argv, os.path.join(self.dir, f"{name}.log"), env)
        self.children.append(c)
        return c

    def start_screener(self, port, timeout=90):
        c = self.start("screener", [os.path.join(self.bin, "crosscheck-screener"), "--config", self.screener_config])
        wait_for("the screener answers 200 on /readyz",
                 lambda: self._alive(c) and http(f"http://127.0.0.1:{port}/readyz")[0] == 200, timeout)
        return c

    def start_console(self, port, timeout=60):
        c = self.start("console", [os.path.join(self.bin, "crosscheck-console"), "--config", self.console_config])
        wait_for("the console answers 200 on /healthz",
                 lambda: self._alive(c) and http(f"http://127.0.0.1:{port}/healthz")[0] == 200, timeout)
        return c

    @staticmethod
    def _alive(c):
        if not c.running():
            raise TestFailure(f"{c.name} exited with {c.proc.returncode}:\n{c.tail()}")
        return True

    def stop_all(self):
        for c in reversed(self.children):
            if c.running():
                c.stop()

    # -- the CLI --
    def cli(self, *args, timeout=120, actor="ops-test", input_text=None):
        argv = [os.path.join(self.bin, "crosscheck"), "-c", self.screener_config, *args]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input_text,
                           env={**os.environ, "CROSSCHECK_ACTOR": actor})
        logged = f"$ {' '.join(argv)}\n{p.stdout}{p.stderr}-> {p.returncode}\n"
        with open(os.path.join(self.dir, "cli.log"), "a") as f:
            f.write(_redact_tokens(logged))
        if p.returncode != 0:
            raise TestFailure(f"crosscheck {' '.join(args)} exited {p.returncode}: {(p.stderr or p.stdout).strip()}")
        return p.stdout

    def issue_token(self, user, role, queues=None):
        args = ["users", "add", user, "--role", role]
        if queues:
            args += ["--queue", ",".join(queues)]
        self.cli(*args)
        out = self.cli("users", "token", user, "--ttl", "1d", "--format", "json")
        line = [l for l in out.splitlines() if l.strip().startswith("{")][-1]
        return json.loads(line)["token"]

    def produce(self, topic, lines):
        path = os.path.join(self.dir, f"produce-{secrets.token_hex(4)}.jsonl")
        with open(path, "w") as f:
            f.write("".join(l.rstrip("\n") + "\n" for l in lines))
        self.cli("produce", "--topic", topic, path)

    def read_topic(self, topic, max_records, idle_seconds=10):
        out = self.cli("tail", "--topic", topic, "--from-beginning", "--max", str(max_records),
                       "--idle-timeout", str(idle_seconds), "--format", "json", timeout=idle_seconds + 60)
        return [l for l in out.splitlines() if l.strip()]

    # -- clean-up --
    def delete_redis_keys(self):
        host, port = self.redis.rsplit(":", 1)
        try:
            deleted = 0
            with socket.create_connection((host, int(port)), timeout=5) as s:
                r = _Resp(s)
                cursor = "0"
                while True:
                    cursor, keys = r.command("SCAN", cursor, "MATCH", self.prefix + "*", "COUNT", "1000")
                    if keys:
                        deleted += int(r.command("DEL", *keys))
                    if cursor == "0":
                        break
            say(f"deleted {deleted} Redis keys under {self.prefix}")
        except OSError as e:
            say(f"could not delete the Redis keys under {self.prefix}: {e}")


def _redact_tokens(text):
    import re
    return re.sub(r"(cct_[0-9a-f]+_)[0-9a-f]+", r"\1<secret>", text)


class _Resp:
    """The few RESP2 commands the clean-up needs."""

    def __init__(self, sock):
        self.f = sock.makefile("rwb")

    def command(self, *args):
        out = f"*{len(args)}\r\n".encode()
        for a in args:
            b = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(b), b)
        self.f.write(out)
        self.f.flush()
        return self._read()

    def _read(self):
        line = self.f.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise OSError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "replace")
        if kind == b"*":
            return [self._read() for _ in range(int(rest))]
        raise OSError(f"unexpected RESP reply {line!r}")


def main(test, body):
    """Runs body(run) with clean-up; exit 0 passed, 1 failed (77 is raised by the prerequisites)."""
    run = Run(test)
    code = 1
    try:
        body(run)
        code = 0
        say(f"{test} PASSED")
    except Exception as e:  # a failed check, or the test itself broke: both fail the test
        import traceback
        say(f"{test} FAILED: {e}" if isinstance(e, TestFailure) else f"{test} FAILED:\n{traceback.format_exc()}")
        for c in run.children:
            say(f"---- {c.name} log ({c.log_path}):\n{c.tail()}")
    finally:
        run.stop_all()
        run.delete_redis_keys()
    sys.exit(code)

#!/usr/bin/env python3
"""Static checks of the deployment files, for a machine without a container engine.

Usage: python3 tests/ops/deploy_static_test.py <repo root> <bin dir>

Nothing here starts a container. What is checked, against the real files and programs:
 1. Syntax: every YAML file under ops/deploy, ops/prometheus, ops/grafana parses; every JSON parses.
 2. Configurations: every screener and console configuration shipped for deployment passes the
    real programs' `--check-config` (the parsers reject unknown keys), and the defaults in
    ops/config/ agree with the ports Prometheus, compose, the Dockerfile and the units use.
 3. docker-compose.yml: the required services; every bind-mounted file, build context and
    Dockerfile exists; every depends_on and named volume is declared; service names, host names
    and ports agree with the configurations, Prometheus's targets, health checks and Grafana's
    datasource; the token path the init script writes is the one Prometheus reads; Kafka runs in
    KRaft mode at the version ops/kafka pins; Redis has persistence on the mounted data volume.
 4. Dockerfile: multi-stage; the runtime stage runs as a non-root user and installs no build
    tools; every COPY source exists and is not excluded by Dockerfile.dockerignore; CMake
    configures from exactly the copied folders; the runtime packages provide every shared library
    the built executables link (ldd + dpkg -S, Debian 12 as in the image).
 5. systemd units: hardening directives present; `systemd-analyze verify` passes without a
    single warning in a temporary root that holds the unit search path and the real executables
    at their ExecStart paths (verify insists that ExecStart is executable); `systemd-analyze
    security --offline` rates the exposure at most 2.0. Skipped (said so) without systemd-analyze.
 6. Kafka cluster example: three nodes with unique ids and one quorum; the screener's bootstrap
    list names exactly their advertised listeners; create-topics.sh creates every topic the
    default configurations use.
 7. Redis: redis.conf and redis-tls.conf are loaded by the real redis-server (temporary dir,
    generated certificate); PING over TLS with a client certificate succeeds.
 8. Metric names: every crosscheck_* metric in the alert and recording rules and the Grafana
    dashboard is declared in the services' sources.

Prints "N passed, M failed, K skipped" and exits 1 on any failure.
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import yaml


class Results:
    def __init__(self):
        self.passed = 0
        self.failures = []
        self.skipped = []

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failures.append(what + (f"\n      {detail}" if detail else ""))
            print(f"FAIL {what}" + (f"\n      {detail}" if detail else ""))
        return ok

    def skip(self, what, why):
        self.skipped.append(what)
        print(f"SKIP {what}: {why}")


R = Results()
ROOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(ROOT, "build", "bin")
DEPLOY = os.path.join(ROOT, "ops/deploy")
PROM = os.path.join(ROOT, "ops/prometheus")
GRAFANA = os.path.join(ROOT, "ops/grafana")


def rel(path):
    return os.path.relpath(path, ROOT)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def host_port(address):
    host, _, port = address.rpartition(":")
    return host, int(port)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- 1. syntax -----------------------------------------------------------------------------------
def check_syntax():
    files = []
    for base in (DEPLOY, PROM, GRAFANA):
        files += glob.glob(os.path.join(base, "**", "*.yml"), recursive=True)
        files += glob.glob(os.path.join(base, "**", "*.yaml"), recursive=True)
    R.check(len(files) >= 10, f"found the YAML files of ops/deploy, ops/prometheus, ops/grafana ({len(files)})")
    for path in sorted(files):
        try:
            doc = load_yaml(path)
            R.check(doc is not None, f"YAML {rel(path)} is not empty")
        except yaml.YAMLError as e:
            R.check(False, f"YAML {rel(path)} parses", str(e))
    jsons = glob.glob(os.path.join(GRAFANA, "**", "*.json"), recursive=True)
    R.check(len(jsons) >= 1, "found the Grafana dashboard JSON")
    for path in jsons:
        try:
            with open(path, encoding="utf-8") as f:
                json.load(f)
            R.check(True, f"JSON {rel(path)} parses")
        except ValueError as e:
            R.check(False, f"JSON {rel(path)} parses", str(e))


# ---- 2. configurations ------------------------------------------------------------------------
def check_config_with_binary(program, path):
    exe = os.path.join(BIN, program)
    if not os.access(exe, os.X_OK):
        R.check(False, f"{program} is built ({exe})", "build crosscheck-screener and crosscheck-console first")
        return
    p = subprocess.run([exe, "--check-config", "--config", path], capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 0, f"{program} --check-config accepts {rel(path)}", (p.stdout + p.stderr).strip())


def check_configs():
    for path in [os.path.join(ROOT, "ops/config/screener.yaml"), os.path.join(DEPLOY, "config/screener.yaml"),
                 os.path.join(DEPLOY, "kafka-cluster/screener-cluster.yaml")]:
        check_config_with_binary("crosscheck-screener", path)
    for path in [os.path.join(ROOT, "ops/config/console.yaml"), os.path.join(DEPLOY, "config/console.yaml"),
                 os.path.join(DEPLOY, "kafka-cluster/console-cluster.yaml")]:
        check_config_with_binary("crosscheck-console", path)


DEFAULTS_SCREENER = None
DEFAULTS_CONSOLE = None


def check_default_ports():
    global DEFAULTS_SCREENER, DEFAULTS_CONSOLE
    DEFAULTS_SCREENER = load_yaml(os.path.join(ROOT, "ops/config/screener.yaml"))
    DEFAULTS_CONSOLE = load_yaml(os.path.join(ROOT, "ops/config/console.yaml"))
    sport, cport = DEFAULTS_SCREENER["http"]["port"], DEFAULTS_CONSOLE["http"]["port"]
    prom = load_yaml(os.path.join(PROM, "prometheus.yml"))
    jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
    for job, port, name in (("crosscheck-screener", sport, "screeners"), ("crosscheck-console", cport, "consoles")):
        R.check(job in jobs, f"prometheus.yml has the scrape job {job}")
        if job not in jobs:
            continue
        files = [f for sd in jobs[job].get("file_sd_configs", []) for f in sd["files"]]
        R.check(files == [f"targets/{name}.yml"], f"job {job} reads targets/{name}.yml", str(files))
        for f in files:
            targets = [t for group in load_yaml(os.path.join(PROM, f)) for t in group["targets"]]
            R.check(targets and all(host_port(t)[1] == port for t in targets),
                    f"{f} names the default port {port} (ops/config)", str(targets))
    console_job = jobs.get("crosscheck-console", {})
    auth = console_job.get("authorization", {})
    R.check(auth.get("type", "Bearer") == "Bearer" and auth.get("credentials_file") == "secrets/console-ops.token",
            "the console job authenticates with a bearer token from secrets/console-ops.token", str(auth))
    R.check("authorization" not in jobs.get("crosscheck-screener", {}), "the screener job sends no credentials")
    # Every job selector in the alert rules names a scrape job.
    text = open(os.path.join(PROM, "rules/crosscheck-alerts.yml"), encoding="utf-8").read()
    for job in set(re.findall(r'job="([^"]+)"', text)):
        R.check(job in jobs, f"alert rules select job {job}, a scrape job of prometheus.yml")
    dockerfile = open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8").read()
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.+)$", dockerfile, re.M) for p in line.split()}
    R.check({sport, cport} <= exposed, f"Dockerfile exposes {sport} and {cport}", str(exposed))


# ---- 3. docker-compose.yml --------------------------------------------------------------------
def check_compose():
    compose_path = os.path.join(DEPLOY, "docker-compose.yml")
    c = load_yaml(compose_path)
    services = c["services"]
    for name in ("kafka", "redis", "screener-1", "screener-2", "console", "prometheus", "grafana", "crosscheck-init"):
        R.check(name in services, f"compose has service {name}")
    volumes = set((c.get("volumes") or {}).keys())
    mounts = {}  # service -> {target: source}
    for name, svc in services.items():
        for dep in (svc.get("depends_on") or {}):
            R.check(dep in services, f"compose {name} depends on an existing service ({dep})")
        mounts[name] = {}
        for v in svc.get("volumes", []):
            parts = v.split(":")
            src, target = parts[0], parts[1]
            mounts[name][target] = src
            if src.startswith(".") or src.startswith("/"):
                R.check(os.path.exists(os.path.normpath(os.path.join(DEPLOY, src))),
                        f"compose {name}: bind-mount source {src} exists")
            else:
                R.check(src in volumes, f"compose {name}: named volume {src} is declared")
        build = svc.get("build")
        if build:
            ctx = os.path.normpath(os.path.join(DEPLOY, build["context"]))
            R.check(os.path.isdir(ctx) and os.path.isfile(os.path.join(ctx, build["dockerfile"])),
                    f"compose {name}: build context and Dockerfile exist", f"{ctx} {build['dockerfile']}")
    screeners = [n for n in services if n.startswith("screener-")]
    scfg = load_yaml(os.path.join(DEPLOY, "config/screener.yaml"))
    ccfg = load_yaml(os.path.join(DEPLOY, "config/console.yaml"))

    # Kafka: KRaft, pinned version, address the clients use.
    kafka = services["kafka"]
    env = kafka.get("environment", {})
    R.check("controller" in str(env.get("KAFKA_PROCESS_ROLES", "")) and not any("ZOOKEEPER" in k for k in env),
            "compose Kafka runs in KRaft mode (process roles include controller, no ZooKeeper)")
    pinned = re.search(r"^KAFKA_VERSION=(\S+)$", open(os.path.join(ROOT, "ops/kafka"), encoding="utf-8").read(), re.M)
    R.check(pinned and kafka["image"].endswith(":" + pinned.group(1)),
            "compose Kafka image has the version ops/kafka pins", f"{kafka['image']} vs {pinned and pinned.group(1)}")
    advertised = env.get("KAFKA_ADVERTISED_LISTENERS", "")
    for label, cfg in (("screener", scfg), ("console", ccfg)):
        boot = cfg["kafka"]["bootstrap_servers"]
        R.check(f"//{boot}" in advertised, f"the {label}'s kafka.bootstrap_servers {boot} is Kafka's advertised listener",
                advertised)
        host, port = host_port(cfg["redis"]["address"])
        R.check(host in services and services[host].get("hostname", host) == host,
                f"the {label}'s redis.address names the compose service {host}")
    # Redis: persistence, data on a volume at the configured dir, the port the clients use.
    redis_conf_src = mounts["redis"].get("/usr/local/etc/redis/redis.conf")
    R.check(redis_conf_src is not None and "/usr/local/etc/redis/redis.conf" in services["redis"]["command"],
            "compose Redis runs with the mounted redis.conf")
    conf = parse_redis_conf(os.path.join(DEPLOY, "redis/redis.conf"))
    R.check(conf.get("appendonly") == ["yes"], "redis.conf turns on the append-only file")
    R.check("save" in conf and conf["save"] != ['""'], "redis.conf takes RDB snapshots (the backup file)")
    data_dir = conf.get("dir", [""])[0]
    R.check(data_dir in mounts["redis"] and mounts["redis"][data_dir] in volumes,
            f"Redis's dir {data_dir} is a named volume (data survives the container)")
    R.check(host_port(scfg["redis"]["address"])[1] == int(conf.get("port", ["6379"])[0]),
            "the screener's Redis port is redis.conf's port")
    R.check(conf.get("maxmemory-policy") == ["noeviction"], "redis.conf never evicts keys")

    # Screeners and console: image, hardening, configuration, ports, health checks.
    dockerfile = open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8").read()
    for name in screeners + ["console", "crosscheck-init"]:
        svc = services[name]
        R.check(svc.get("read_only") is True and svc.get("cap_drop") == ["ALL"]
                and "no-new-privileges:true" in svc.get("security_opt", []),
                f"compose {name}: read-only root, no capabilities, no-new-privileges")
        R.check(str(svc.get("user", "10001")).split(":")[0] not in ("0", "root"), f"compose {name} does not run as root")
    R.check(len(screeners) == 2, "compose runs 2 screeners")
    R.check(scfg["rules"]["expected_instances"] == len(screeners),
            "the screeners' rules.expected_instances is the number of screeners in compose")
    sport = scfg["http"]["port"]
    R.check(scfg["http"]["address"] == "0.0.0.0", "screeners listen beyond loopback (Prometheus is another container)")
    drain_s = scfg["kafka"].get("drain_timeout_ms", 30000) / 1000
    for name in screeners:
        svc = services[name]
        R.check(mounts[name].get("/etc/crosscheck/screener.yaml") == "./config/screener.yaml"
                and "/etc/crosscheck/screener.yaml" in svc["command"],
                f"compose {name} runs with config/screener.yaml")
        R.check(svc.get("hostname") == name, f"compose {name} has host name {name} (its instance id and scrape target)")
        health = " ".join(svc["healthcheck"]["test"])
        R.check(f"/dev/tcp/127.0.0.1/{sport}" in health and "/healthz" in health,
                f"compose {name}: health check probes /healthz on port {sport}")
        grace = re.fullmatch(r"(\d+)s", str(svc.get("stop_grace_period", "10s")))
        R.check(grace and int(grace.group(1)) > drain_s,
                f"compose {name}: stop_grace_period exceeds kafka.drain_timeout_ms ({drain_s:.0f} s)")
    cport = ccfg["http"]["port"]
    console = services["console"]
    R.check(f"127.0.0.1:{cport}:{cport}" in console.get("ports", []), f"compose publishes the console's {cport} on loopback only")
    R.check(f"/dev/tcp/127.0.0.1/{cport}" in " ".join(console["healthcheck"]["test"]), "the console's health check probes its port")
    scraped = {s["url"] for s in (ccfg.get("ops") or {}).get("screeners", [])}
    R.check(scraped == {f"http://{n}:{sport}/metrics" for n in screeners},
            "the console's ops page scrapes every compose screener's /metrics", str(scraped))
    static_dir = ccfg["http"]["static_dir"]
    R.check(f"cp -r services/console/web /out{static_dir}" in dockerfile,
            f"the console's static_dir {static_dir} is where the Dockerfile installs the page")

    # Prometheus: the shipped configuration, rules and targets, the token from the init container.
    prom = services["prometheus"]
    pm = mounts["prometheus"]
    R.check(pm.get("/etc/prometheus/prometheus.yml") == "../prometheus/prometheus.yml", "compose Prometheus uses ops/prometheus/prometheus.yml")
    R.check(pm.get("/etc/prometheus/rules") == "../prometheus/rules", "compose Prometheus loads ops/prometheus/rules")
    promcfg = load_yaml(os.path.join(PROM, "prometheus.yml"))
    for rf in promcfg["rule_files"]:
        R.check(os.path.isfile(os.path.join(PROM, rf)), f"rule file {rf} of prometheus.yml exists")
    targets_dir = pm.get("/etc/prometheus/targets")
    R.check(targets_dir == "./prometheus/targets", "compose mounts its own scrape targets")
    jobs = {j["job_name"]: j for j in promcfg["scrape_configs"]}
    want = {"crosscheck-screener": {f"{n}:{sport}" for n in screeners}, "crosscheck-console": {f"console:{cport}"}}
    for job, expected in want.items():
        for f in [f for sd in jobs[job]["file_sd_configs"] for f in sd["files"]]:
            path = os.path.join(DEPLOY, targets_dir, os.path.relpath(f, "targets"))
            got = {t for group in load_yaml(path) for t in group["targets"]}
            R.check(got == expected, f"compose targets for {job} are the compose services", f"{got} vs {expected}")
    secrets_target = os.path.dirname(os.path.join("/etc/prometheus", jobs["crosscheck-console"]["authorization"]["credentials_file"]))
    secrets_volume = pm.get(secrets_target)
    init_script = open(os.path.join(DEPLOY, "compose-init.sh"), encoding="utf-8").read()
    token_path = re.search(r"^token_file=(\S+)$", init_script, re.M).group(1)
    token_dir = os.path.dirname(token_path)
    R.check(secrets_volume is not None and mounts["crosscheck-init"].get(token_dir) == secrets_volume,
            "the init container writes the token into the volume Prometheus reads as its credentials_file",
            f"{secrets_target}<-{secrets_volume}, init {token_dir}<-{mounts['crosscheck-init'].get(token_dir)}")
    R.check(os.path.basename(token_path) == os.path.basename(jobs["crosscheck-console"]["authorization"]["credentials_file"]),
            "the token file name matches credentials_file")
    R.check(f"/usr/local/lib/crosscheck/compose-init.sh" in services["crosscheck-init"]["command"]
            and mounts["crosscheck-init"].get("/usr/local/lib/crosscheck/compose-init.sh") == "./compose-init.sh",
            "the init container runs compose-init.sh")
    R.check(re.search(rf"chown 10001:65534 {re.escape(token_dir)}", dockerfile) is not None,
            "the image's secrets directory belongs to the service user, group nobody (Prometheus's user)")
    listen = [a for a in prom["command"] if a.startswith("--web.listen-address=")]
    prom_port = int(listen[0].rsplit(":", 1)[1]) if listen else 9090

    # Grafana: provisioning and dashboards mounted where the provider looks.
    gm = mounts["grafana"]
    provider = load_yaml(os.path.join(GRAFANA, "provisioning/dashboards/crosscheck.yml"))["providers"][0]
    R.check(gm.get(provider["options"]["path"]) == "../grafana/dashboards",
            "compose mounts ops/grafana/dashboards where the dashboard provider reads", str(gm))
    R.check(gm.get("/etc/grafana/provisioning/datasources") == "../grafana/provisioning/datasources"
            and gm.get("/etc/grafana/provisioning/dashboards") == "../grafana/provisioning/dashboards",
            "compose mounts Grafana's provisioning folders")
    ds = load_yaml(os.path.join(GRAFANA, "provisioning/datasources/crosscheck-prometheus.yml"))["datasources"][0]
    R.check(ds["url"] == f"http://prometheus:{prom_port}" and ds["type"] == "prometheus",
            "Grafana's datasource is the compose Prometheus", ds["url"])
    scrape = promcfg["global"]["scrape_interval"]
    R.check(ds.get("jsonData", {}).get("timeInterval") == scrape, "Grafana's timeInterval is Prometheus's scrape_interval")


def parse_redis_conf(path):
    conf = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, *values = line.split(None, 1)
        conf[key] = values[0].split() if values else []
        if key == "save":
            conf[key] = values
    return conf


# ---- 4. Dockerfile -----------------------------------------------------------------------------
def dockerfile_stages(text):
    text = re.sub(r"\\\n", " ", text)
    stages = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        instr, _, rest = s.partition(" ")
        if instr.upper() == "FROM":
            stages.append({"from": rest, "lines": []})
        elif stages:
            stages[-1]["lines"].append((instr.upper(), rest.strip()))
    return stages


def check_dockerfile():
    text = open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8").read()
    stages = dockerfile_stages(text)
    R.check(len(stages) >= 2, "Dockerfile is multi-stage", str(len(stages)))
    final = stages[-1]
    users = [rest for instr, rest in final["lines"] if instr == "USER"]
    R.check(users and users[-1].split(":")[0] not in ("0", "root"), "the runtime stage runs as a non-root user", str(users))
    runs = " ".join(rest for instr, rest in final["lines"] if instr == "RUN")
    R.check("slim" in final["from"], "the runtime stage starts from a slim base", final["from"])
    for tool in ("build-essential", "cmake", "ninja-build", "-dev ", "g++", "gcc"):
        R.check(tool not in runs + " ", f"the runtime stage installs no build tool ({tool.strip()})")
    R.check("rm -rf /var/lib/apt/lists/*" in runs, "the runtime stage leaves no apt lists behind")
    copies = [rest.split() for st in stages[:-1] for instr, rest in st["lines"] if instr == "COPY" and "--from" not in rest]
    sources = [src for parts in copies for src in parts[:-1]]
    for src in sources:
        R.check(os.path.exists(os.path.join(ROOT, src)), f"Dockerfile COPY source {src} exists")
    ignore = open(os.path.join(DEPLOY, "Dockerfile.dockerignore"), encoding="utf-8").read().split()
    for src in sources:
        R.check(f"!{src.rstrip('/')}" in ignore or f"!{src}" in ignore, f"Dockerfile.dockerignore lets {src} through")
    # CMake configures from exactly the copied folders, with the options the image uses.
    cmake_line = re.search(r"cmake -S \. -B /build ([^&]*)&&", re.sub(r"\\\n", " ", text))
    options = [o for o in cmake_line.group(1).split() if o.startswith("-D")] if cmake_line else []
    R.check("-DCROSSCHECK_BUILD_TESTS=OFF" in options, "the image configures without the tests", str(options))
    if shutil.which("cmake"):
        with tempfile.TemporaryDirectory(prefix="cc-dockerctx-") as tmp:
            for src in sources:
                s = os.path.join(ROOT, src)
                d = os.path.join(tmp, src)
                if os.path.isdir(s):
                    shutil.copytree(s, d, ignore=shutil.ignore_patterns("node_modules"))
                else:
                    os.makedirs(os.path.dirname(d), exist_ok=True)
                    shutil.copy(s, d)
            p = subprocess.run(["cmake", "-S", tmp, "-B", os.path.join(tmp, "build"), "-G", "Ninja"] + options,
                               capture_output=True, text=True, timeout=300)
            R.check(p.returncode == 0, "CMake configures from only the folders the Dockerfile copies",
                    (p.stdout + p.stderr)[-2000:])
            built = re.search(r"--target ([\w\- ]+?)\s*&&", re.sub(r"\\\n", " ", text))
            targets = built.group(1).split() if built else []
            if p.returncode == 0:
                q = subprocess.run(["ninja", "-C", os.path.join(tmp, "build"), "-t", "targets", "all"],
                                   capture_output=True, text=True, timeout=60)
                for t in targets:
                    R.check(re.search(rf"^{re.escape(t)}: ", q.stdout, re.M) is not None, f"the image's build target {t} exists")
    else:
        R.skip("CMake configure of the Docker build context", "cmake is not installed")
    # The runtime packages provide every library the executables link.
    packages = set(re.findall(r"\b(lib[\w.+-]+|ca-certificates)\b", runs)) - {"lib"}
    base = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}  # in debian:bookworm-slim (Essential or apt's dependencies)
    allowed = set(packages) | base
    dpkg = shutil.which("dpkg-query") and shutil.which("dpkg")
    exes = [os.path.join(BIN, e) for e in ("crosscheck", "crosscheck-screener", "crosscheck-console")]
    if not dpkg or not all(os.path.exists(e) for e in exes):
        R.skip("runtime packages cover ldd of the executables", "dpkg or the built executables are missing")
        return
    for pkg in list(packages):  # and what those packages pull in (their Depends, as installed here)
        p = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", pkg], capture_output=True, text=True)
        R.check(p.returncode == 0, f"runtime package {pkg} exists in this Debian (dpkg-query)", p.stderr.strip())
        allowed |= {d.strip().split()[0].split(":")[0] for d in re.split(r"[,|]", p.stdout) if d.strip()}
    libs = set()
    for exe in exes:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
        libs |= set(re.findall(r"=> (/\S+)", out))
    for lib in sorted(libs):
        real = os.path.realpath(lib)
        p = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True)
        if p.returncode != 0:
            p = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True)
        owner = p.stdout.split(":")[0].strip() if p.returncode == 0 else "?"
        R.check(owner in allowed, f"{os.path.basename(lib)} comes with the runtime image (package {owner})")


# ---- 5. systemd units --------------------------------------------------------------------------
def check_systemd():
    units = sorted(glob.glob(os.path.join(DEPLOY, "systemd", "*.service")))
    R.check(len(units) == 2, "two systemd units (screener template, console)", str([os.path.basename(u) for u in units]))
    required = ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes",
                "CapabilityBoundingSet=", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
                "MemoryMax=", "TasksMax=", "LimitNOFILE=", "Restart=on-failure", "RestartPreventExitStatus=2"]
    execs = {}
    for unit in units:
        text = open(unit, encoding="utf-8").read()
        name = os.path.basename(unit)
        for d in required:
            R.check(re.search(rf"^{re.escape(d)}", text, re.M) is not None, f"{name} has {d}")
        m = re.search(r"^ExecStart=(\S+)", text, re.M)
        execs[name] = m.group(1)
        R.check(m.group(1) in ("/usr/local/bin/crosscheck-screener", "/usr/local/bin/crosscheck-console"),
                f"{name} runs the executable where the image and the docs install it", m.group(1))
        stop = re.search(r"^TimeoutStopSec=(\d+)", text, re.M)
        if "screener" in name:
            R.check(stop and int(stop.group(1)) > DEFAULTS_SCREENER["kafka"]["drain_timeout_ms"] / 1000,
                    f"{name}: TimeoutStopSec exceeds the default kafka.drain_timeout_ms")
    sa = shutil.which("systemd-analyze")
    if not sa:
        R.skip("systemd-analyze verify / security", "systemd-analyze is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="cc-systemd-root-") as root:
        # The unit search path of this system (targets the units are ordered after), the units
        # under /etc/systemd/system, and the real executables at their ExecStart paths.
        shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
        os.makedirs(os.path.join(root, "etc/systemd/system"))
        for unit in units:
            shutil.copy(unit, os.path.join(root, "etc/systemd/system"))
        for path in set(execs.values()):
            exe = os.path.join(BIN, os.path.basename(path))
            R.check(os.path.exists(exe), f"built {os.path.basename(path)} for the verify root")
            dest = os.path.join(root, path.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(exe, dest)
        names = [os.path.basename(u).replace("@.service", "@1.service") for u in units]
        p = subprocess.run([sa, "verify", "--man=no", f"--root={root}"] + names, capture_output=True, text=True, timeout=120)
        out = (p.stdout + p.stderr).strip()
        R.check(p.returncode == 0 and out == "", f"systemd-analyze verify {' '.join(names)} (no warning at all)", out)
        # The check has teeth: a misspelt directive and a missing executable are reported.
        bad = os.path.join(root, "etc/systemd/system", "cc-probe.service")
        with open(bad, "w") as f:
            f.write("[Service]\nExecStart=/usr/local/bin/crosscheck-missing\nProtectSytem=strict\n")
        p = subprocess.run([sa, "verify", "--man=no", f"--root={root}", "cc-probe.service"], capture_output=True, text=True)
        probe = p.stdout + p.stderr
        R.check("ProtectSytem" in probe and "crosscheck-missing" in probe,
                "systemd-analyze verify in the temporary root reports a bad unit", probe)
        for n in names:
            p = subprocess.run([sa, "security", "--offline=true", f"--root={root}", n], capture_output=True, text=True, timeout=120)
            m = re.search(r"Overall exposure level for \S+: ([\d.]+)", p.stdout + p.stderr)
            R.check(m and float(m.group(1)) <= 2.0, f"systemd-analyze security rates {n} at most 2.0 exposure",
                    m.group(0) if m else (p.stdout + p.stderr)[-500:])


# ---- 6. Kafka cluster example ------------------------------------------------------------------
def parse_properties(path):
    props = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            props[k.strip()] = v.strip()
    return props


def check_kafka_cluster():
    files = sorted(glob.glob(os.path.join(DEPLOY, "kafka-cluster/server-*.properties")))
    R.check(len(files) == 3, "three Kafka node configurations")
    nodes = [parse_properties(f) for f in files]
    ids = [n.get("node.id") for n in nodes]
    R.check(len(set(ids)) == 3, "node ids are unique", str(ids))
    voters = {n.get("controller.quorum.voters") for n in nodes}
    R.check(len(voters) == 1, "all nodes name the same controller quorum")
    voter_ids = {v.split("@")[0] for v in next(iter(voters)).split(",")}
    R.check(voter_ids == set(ids), "the quorum is the three nodes", f"{voter_ids} vs {ids}")
    advertised = []
    for n in nodes:
        R.check("controller" in n.get("process.roles", "") and "zookeeper.connect" not in n, f"node {n.get('node.id')} runs KRaft")
        R.check(n.get("default.replication.factor") == "3" and n.get("min.insync.replicas") == "2"
                and n.get("offsets.topic.replication.factor") == "3",
                f"node {n.get('node.id')}: 3 replicas, 2 in sync")
        R.check(n.get("auto.create.topics.enable") == "false", f"node {n.get('node.id')} does not create topics on use")
        advertised.append(n["advertised.listeners"].split("//", 1)[1])
    for name in ("screener-cluster.yaml", "console-cluster.yaml"):
        cfg = load_yaml(os.path.join(DEPLOY, "kafka-cluster", name))
        boot = cfg["kafka"]["bootstrap_servers"].split(",")
        R.check(sorted(boot) == sorted(advertised), f"{name} bootstraps from the three advertised listeners", f"{boot}")
        R.check(cfg["kafka"].get("create_topics") is False, f"{name} leaves topic creation to create-topics.sh")
    script = open(os.path.join(DEPLOY, "kafka-cluster/create-topics.sh"), encoding="utf-8").read()
    s, c = DEFAULTS_SCREENER, DEFAULTS_CONSOLE
    wanted = [s["topics"]["itineraries"], s["topics"]["manifests"], s["topics"]["payments"], s["topics"]["deadletter"],
              s["rules"]["audit_topic"], c["console"]["dispositions_topic"]]
    queues = set(s["screening"]["queues"].values()) | {s["rules"]["governance_queue"]} | set(c["console"]["queues"])
    created = set(re.findall(r"create (\S+) ", script))
    loops = re.findall(r'for (\w+) in ([^;]+); do create "([^"]*)"', script)
    for var, items, pattern in loops:
        for item in items.split():
            created.add(pattern.replace("$" + var, item))
    for t in wanted + [s["topics"]["flags_prefix"] + q for q in sorted(queues)]:
        R.check(t in created, f"create-topics.sh creates {t}")
    R.check("--replication-factor 3" in script and "min.insync.replicas=2" in script, "create-topics.sh makes 3 replicas, 2 in sync")


# ---- 7. Redis configurations in the real redis-server -------------------------------------------
def run_redis(conf_path, tmp, extra_args, ping_args, what):
    proc = subprocess.Popen(["redis-server", conf_path] + extra_args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 15
        ok = False
        while time.time() < deadline and proc.poll() is None:
            p = subprocess.run(["redis-cli"] + ping_args + ["ping"], capture_output=True, text=True)
            if p.stdout.strip() == "PONG":
                ok = True
                break
            time.sleep(0.1)
        out = ""
        if proc.poll() is not None:
            out = proc.stdout.read()
        R.check(ok, what, out[-1500:])
        if ok:
            subprocess.run(["redis-cli"] + ping_args + ["shutdown", "nosave"], capture_output=True, text=True)
    finally:
        if proc.poll() is None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def check_redis():
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        R.skip("redis.conf and redis-tls.conf in redis-server", "redis-server or redis-cli is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="cc-redis-conf-") as tmp:
        sock = os.path.join(tmp, "redis.sock")
        # `dir` is applied while the file is read, before command-line options: point it at tmp.
        text = open(os.path.join(DEPLOY, "redis/redis.conf"), encoding="utf-8").read()
        conf = os.path.join(tmp, "redis.conf")
        open(conf, "w").write(re.sub(r"^dir .*$", f"dir {tmp}", text, flags=re.M))
        run_redis(conf, tmp, ["--port", "0", "--bind", "127.0.0.1", "--unixsocket", sock],
                  ["-s", sock], "redis-server loads ops/deploy/redis/redis.conf")
        if not shutil.which("openssl"):
            R.skip("redis-tls.conf in redis-server", "openssl is not installed (needed for a test certificate)")
            return
        crt, key = os.path.join(tmp, "tls.crt"), os.path.join(tmp, "tls.key")
        p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-keyout", key, "-out", crt], capture_output=True, text=True)
        R.check(p.returncode == 0, "a test certificate is generated", p.stderr[-500:])
        text = open(os.path.join(DEPLOY, "redis/redis-tls.conf"), encoding="utf-8").read()
        password = re.search(r"^requirepass (\S+)", text, re.M).group(1)
        text = re.sub(r"^dir .*$", f"dir {tmp}", text, flags=re.M)
        for k in ("tls-cert-file", "tls-ca-cert-file"):
            text = re.sub(rf"^{k} .*$", f"{k} {crt}", text, flags=re.M)
        text = re.sub(r"^tls-key-file .*$", f"tls-key-file {key}", text, flags=re.M)
        tls_conf = os.path.join(tmp, "redis-tls.conf")
        open(tls_conf, "w").write(text)
        port = free_port()
        run_redis(tls_conf, tmp, ["--tls-port", str(port), "--bind", "127.0.0.1"],
                  ["--tls", "--cacert", crt, "--cert", crt, "--key", key, "-h", "127.0.0.1", "-p", str(port),
                   "-a", password, "--no-auth-warning"],
                  "redis-server loads ops/deploy/redis/redis-tls.conf and answers PING over TLS with a client certificate")


# ---- 8. metric names ---------------------------------------------------------------------------
def declared_metrics():
    names = set()
    for base in ("services", "streams"):
        for path in glob.glob(os.path.join(ROOT, base, "**", "*.cpp"), recursive=True) + \
                glob.glob(os.path.join(ROOT, base, "**", "*.h"), recursive=True):
            names |= set(re.findall(r'"(crosscheck_[a-z0-9_]+)"', open(path, encoding="utf-8", errors="replace").read()))
    return names


def check_metric_names():
    declared = declared_metrics()
    R.check(len(declared) > 30, f"metric names found in the services' sources ({len(declared)})")
    recorded = set()
    for path in glob.glob(os.path.join(PROM, "rules", "*.yml")):
        for g in load_yaml(path)["groups"]:
            recorded |= {r["record"] for r in g["rules"] if "record" in r}
    sources = [os.path.join(PROM, "rules/crosscheck-alerts.yml"), os.path.join(PROM, "rules/crosscheck-recording.yml")] + \
        glob.glob(os.path.join(GRAFANA, "dashboards", "*.json"))
    for path in sources:
        text = open(path, encoding="utf-8").read()
        used = set(re.findall(r"\b(crosscheck_[a-z0-9_]+)\b", text))
        used = {re.sub(r"_(bucket|sum|count)$", "", u) if u.endswith(("_bucket", "_sum", "_count")) else u for u in used}
        for u in sorted(used):
            if re.search(rf"[a-z_]+:{u}:", text) and u not in declared:
                continue  # only inside a recording rule's name
            R.check(u in declared, f"{rel(path)} uses metric {u}, declared by a service")
    dash = json.load(open(glob.glob(os.path.join(GRAFANA, "dashboards", "*.json"))[0], encoding="utf-8"))
    promcfg = load_yaml(os.path.join(PROM, "prometheus.yml"))
    jobvar = [v for v in dash["templating"]["list"] if v["name"] == "job"][0]
    R.check(jobvar["current"]["value"] in {j["job_name"] for j in promcfg["scrape_configs"]},
            "the dashboard's default job is a scrape job of prometheus.yml")
    for p in dash["panels"]:
        R.check(p.get("datasource", {}).get("uid") == "${datasource}" and p.get("targets"),
                f"dashboard panel '{p['title']}' queries the selected Prometheus")


def main():
    for step in (check_syntax, check_configs, check_default_ports, check_compose, check_dockerfile, check_systemd,
                 check_kafka_cluster, check_redis, check_metric_names):
        try:
            step()
        except Exception as e:  # a crash in one step is a failure, and the others still run
            import traceback
            R.check(False, f"{step.__name__} ran to the end", traceback.format_exc()[-2000:])
    print(f"{R.passed} passed, {len(R.failures)} failed, {len(R.skipped)} skipped")
    return 1 if R.failures else 0


if __name__ == "__main__":
    sys.exit(main())

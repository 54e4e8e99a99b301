#!/usr/bin/env python3
"""Topup's benchmarks against a bare Tauri v2 app (bench/baseline).

Run by `make bench` (bench/run.sh), which builds the release binaries and
packages first and runs this inside a private D-Bus session, Xvfb and a fresh
gnome-keyring. Standard library only.

What is measured, and how:

* sizes: the release binaries, the .deb packages and the UI's shipped JS/CSS
  (raw and gzip -9), Topup against the baseline;
* start-up: launch -> the balance painted on the home screen (the account
  restored from the keychain; Topup logs "balance on screen ... at_ms=" once the
  frame is painted), against the baseline's launch -> its page painted (the
  same two-frame callback), and both apps' launch -> page loaded (the load
  event) beside it; interleaved runs, so drift hits both alike;
* memory: PSS summed over the whole process tree (WebKit's web and network
  processes included) after 10 s idle, in the same runs;
* time to credits: purchases driven through the real window (tauri-driver);
  the Sandbox records the wall-clock instant it credits a payment, Topup logs
  when the new balance is painted. Half the purchases bring the window back to
  the front as soon as the payment has settled (measured from that moment),
  half leave it in the background (measured from the settlement);
* watcher requests: one purchase left unpaid; the Sandbox's request log gives
  the requests of the first 5 minutes and of each minute after;
* on the desktop: Topup started in the tray (`--background`, as at login) with
  three accounts signed in and default settings, and the baseline beside it:
  the CPU time (user + system, from /proc) of each whole process tree over the
  first 10 idle minutes, and the background refresh's requests per account in
  the hour after its first round (the Sandbox's request log).
"""

from __future__ import annotations

import argparse
import gzip
import http.client as http_client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 30.0
USER_EMAIL = "demo@topup.test"
CARD = "4242424242424242"
# The app's single-instance name and log messages, shared with the e2e harness.
MARKERS = json.loads((ROOT / "tests/markers.json").read_text())
INSTANCE_NAME = MARKERS["instance_name"]
SHOWN = re.compile(re.escape(MARKERS["balance_on_screen"]) + r" .*balance=(\S+) on=(\w+) at_ms=(\d+)")
PAGE_LOADED = re.compile(re.escape(MARKERS["page_loaded"]) + r" at_ms=(\d+)")
PAGE_PAINTED = re.compile(r"page painted at_ms=(\d+)")
# Topup's moments in between (debug lines): where its start-up time goes.
STARTUP_ASKED = re.compile(re.escape(MARKERS["startup_asked"]) + r" at_ms=(\d+)")
FIRST_SCREEN_READY = re.compile(re.escape(MARKERS["first_screen_ready"]) + r" at_ms=(\d+)")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def now_ms() -> float:
    return time.time() * 1000.0


def wait_until(what: str, check, deadline: float = DEADLINE, poll: float = 0.02):
    """Polls `check` until it returns something truthy; fails after `deadline`."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() - started > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(poll)


def http(method: str, url: str, body=None, timeout: float = 10.0):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as err:
        raw = err.read()
        status = err.code
    try:
        return status, json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


# ---- statistics -------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p5": percentile(values, 5),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def ratio_interval(topup: list[float], baseline: list[float], resamples: int = 10_000) -> tuple[float, float]:
    """The 95 % interval of the ratio of the two medians, by a paired bootstrap:
    launch i of each app ran back to back, so launches are resampled in pairs
    and drift between rounds stays out of the ratio. Seeded: a report read
    twice from the same JSON says the same."""
    pairs = [(t, b) for t, b in zip(topup, baseline) if t is not None and b is not None]
    if len(pairs) < 2:
        return float("nan"), float("nan")
    rng = random.Random(0)
    ratios = []
    for _ in range(resamples):
        drawn = [rng.choice(pairs) for _ in pairs]
        ratios.append(statistics.median(t for t, _ in drawn) / statistics.median(b for _, b in drawn))
    return percentile(ratios, 2.5), percentile(ratios, 97.5)


def ratio_cell(ratio: float, topup: list[float], baseline: list[float]) -> str:
    low, high = ratio_interval(topup, baseline)
    return f"{ratio:.2f}× (95 %: {low:.2f}–{high:.2f}×)"


def spread(s: dict, unit: str, digits: int = 0) -> str:
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'])} {unit} ({f.format(s['min'])}–{f.format(s['max'])}, n={s['n']})"


# ---- processes ----------------------------------------------------------------


class Output:
    """Collects a child's output lines in a thread, so its pipe never fills."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for raw in iter(stream.readline, b""):
            with self.lock:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def matches(self, pattern: re.Pattern) -> list[re.Match]:
        with self.lock:
            return [m for m in map(pattern.search, self.lines) if m]

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.lines)


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces.
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def command_names(pids: list[int]) -> list[str]:
    names = []
    for pid in pids:
        try:
            names.append(Path(f"/proc/{pid}/comm").read_text().strip())
        except OSError:
            pass
    return names


def stop(proc: subprocess.Popen) -> None:
    tree = process_tree(proc.pid)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def instance_name_taken() -> bool:
    out = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
         "org.freedesktop.DBus.NameHasOwner", f"string:{INSTANCE_NAME}"],
        capture_output=True, text=True, check=False,
    ).stdout
    return "boolean true" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the Sandbox and a profile signed in to it -----------------------------------


class Sandbox:
    def __init__(self, binary: Path):
        self.proc = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().decode()
        self.output = Output(self.proc.stdout)
        urls = json.loads(first)
        self.clara = urls["clara"]
        self.admin = urls["admin"]
        parts = urllib.parse.urlsplit(self.admin)
        self.base = f"{parts.scheme}://{parts.netloc}"

    def get(self, path: str):
        status, body = http("GET", self.admin + path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body}")
        return body

    def settlement(self, session_id: str):
        for s in self.get("/clara/settlements"):
            if s["session_id"] == session_id:
                return s
        return None

    def close(self):
        stop(self.proc)


class Profile:
    """A throw-away home for the app: XDG directories and a stand-in browser
    that writes down the pages it is asked to open."""

    def __init__(self, root: Path):
        self.root = root
        for sub in ["config", "data/applications", "cache", "state"]:
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.opened = root / "opened-urls"
        browser = root / "browser.sh"
        browser.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{self.opened}'\n")
        browser.chmod(0o755)
        (root / "data/applications/topup-bench-browser.desktop").write_text(
            "[Desktop Entry]\nType=Application\nName=Topup bench browser\n"
            f"Exec={browser} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n"
        )
        (root / "config/mimeapps.list").write_text(
            "[Default Applications]\nx-scheme-handler/http=topup-bench-browser.desktop\n"
            "x-scheme-handler/https=topup-bench-browser.desktop\n"
        )
        self.env = dict(os.environ)
        self.env.update({
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "XDG_STATE_HOME": str(root / "state"),
            "BROWSER": str(browser),
            "LANG": "en_US.UTF-8",
            "LC_ALL": "en_US.UTF-8",
            # With each background-refresh round (checked, next due): what a stop would show;
            # and the moments of a start (startup asked, first screen ready).
            "RUST_LOG": "info,topup_core::alerts::monitor=debug,topup_app::shown=debug",
        })

    def opened_urls(self) -> list[str]:
        try:
            return self.opened.read_text().split()
        except FileNotFoundError:
            return []

    def sign_in(self, cli: Path, sandbox: Sandbox) -> None:
        """A Clara account on the Sandbox, signed in with an API-key token:
        the token goes to the keychain, as after any sign-in."""
        run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
            [str(cli), *args], env=self.env, input=stdin, capture_output=True, text=True, check=True
        )
        run("--json", "add", "custom", "--base-url", sandbox.clara, "--checkout-origin", sandbox.base)
        token = sandbox.get(f"/clara/users/{USER_EMAIL}/api_key")["token"]
        run("login", "--token-stdin", stdin=token + "\n")


# ---- sizes ---------------------------------------------------------------------------


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def assets(dist: Path, suffix: str) -> tuple[int, int]:
    files = sorted(dist.rglob(f"*{suffix}"))
    raw = sum(f.stat().st_size for f in files)
    zipped = sum(gz(f.read_bytes()) for f in files)
    return raw, zipped


def sizes(target: Path) -> dict:
    bundle = target / "release/bundle/deb"
    deb = lambda prefix: next(iter(sorted(bundle.glob(f"{prefix}_*_amd64.deb"))))  # noqa: E731
    return {
        "binary": ((target / "release/topup").stat().st_size,
                   (target / "release/topup-bench-baseline").stat().st_size),
        "deb": (deb("Topup").stat().st_size, deb("topup-bench-baseline").stat().st_size),
        "js": (assets(ROOT / "ui/dist", ".js"), assets(ROOT / "bench/baseline/dist", ".js")),
        "css": (assets(ROOT / "ui/dist", ".css"), assets(ROOT / "bench/baseline/dist", ".css")),
    }


# ---- start-up and memory ----------------------------------------------------------------


def launch_once(binary: Path, env: dict, pattern: re.Pattern, idle: float, is_topup: bool):
    """One launch: ms until `pattern` is logged, then PSS after `idle` seconds."""
    if is_topup:
        wait_until("the previous Topup to release its single-instance name",
                   lambda: not instance_name_taken(), deadline=10)
    started = now_ms()
    proc = subprocess.Popen([str(binary)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = Output(proc.stdout)
    try:
        try:
            match = wait_until("the app to report", lambda: (out.matches(pattern) or [None])[0])
        except TimeoutError:
            raise RuntimeError(f"{binary.name} never logged {pattern.pattern!r}:\n{out.text()[-3000:]}")
        at_ms = int(match.group(match.lastindex))
        fresh_ms = None
        if is_topup:
            # The first balance painted is the last one read ("Known", while the
            # session restores) or the service's answer ("Home"); both are timed.
            if match.group(2) not in ("Home", "Known"):
                raise RuntimeError(f"expected the home balance first: {match.group(0)}")
            fresh = wait_until("the service's balance on home",
                               lambda: next((m for m in out.matches(pattern) if m.group(2) == "Home"), None))
            fresh_ms = int(fresh.group(3)) - started
        loaded = out.matches(PAGE_LOADED)
        page_ms = int(loaded[0].group(1)) - started if loaded else None
        steps = {}
        for step, marker in (("startup_ms", STARTUP_ASKED), ("ready_ms", FIRST_SCREEN_READY)):
            found = out.matches(marker)
            if found:
                steps[step] = int(found[0].group(1)) - started
        # The measurement protocol: memory is read after the app has idled.
        time.sleep(idle)
        tree = process_tree(proc.pid)
        by_process = {f"{name} ({pid})": pss_kib(pid) / 1024.0 for pid, name in zip(tree, command_names(tree))}
        pss = sum(pss_kib(pid) for pid in tree)
        return at_ms - started, page_ms, pss, by_process, fresh_ms, steps
    finally:
        stop(proc)


def startup_and_memory(target: Path, cli: Path, sandbox: Sandbox, runs: int, idle: float, work: Path,
                       topup_extra: dict | None = None, baseline_extra: dict | None = None,
                       name: str = "startup"):
    """Interleaved launches of both apps; `*_extra` adds variables to an app's
    environment, and a `baseline_extra` of None leaves the baseline out."""
    profile = Profile(work / name)
    profile.sign_in(cli, sandbox)
    base_env = Profile(work / f"{name}-baseline").env
    topup = target / "release/topup"
    baseline = target / "release/topup-bench-baseline"
    result = {"topup": {"ms": [], "page_ms": [], "pss": [], "fresh_ms": [], "startup_ms": [], "ready_ms": []},
              "baseline": {"ms": [], "page_ms": [], "pss": []}, "processes": {}}
    apps = [("topup", topup, {**profile.env, **(topup_extra or {})}, SHOWN)]
    if baseline_extra is not None or name == "startup":
        apps.append(("baseline", baseline, {**base_env, **(baseline_extra or {})}, PAGE_PAINTED))
    for i in range(runs):
        order = list(apps)
        if i % 2:
            order.reverse()
        for name_, binary, env, pattern in order:
            ms, page_ms, pss, names, fresh_ms, steps = launch_once(binary, env, pattern, idle, name_ == "topup")
            if fresh_ms is not None:
                result[name_]["fresh_ms"].append(fresh_ms)
            for step, at in steps.items():
                result[name_][step].append(at)
            result[name_]["ms"].append(ms)
            result[name_]["page_ms"].append(page_ms)
            result[name_]["pss"].append(pss / 1024.0)
            result["processes"].setdefault(name_, []).append(names)
            log(f"{name} run {i + 1}/{runs} {name_}: {ms:.0f} ms, {pss / 1024:.1f} MiB: "
                + ", ".join(f"{k} {v:.1f}" for k, v in names.items()))
    return result


# Each WebKit knob tried, A/B: the variables go to both apps (the baseline
# stays untuned otherwise: it is the floor people get by default), and
# TOPUP_WEBKIT_TUNING=none turns Topup's own tuning (src-tauri/webkit.rs) off,
# so each row shows one knob. docs/benchmarks.md has the knobs tried once and
# dropped (the settings API's cache model, page cache and acceleration policy).
KNOBS = [
    ("WebKit's defaults", {}, "none"),
    ("compositing off: WEBKIT_DISABLE_COMPOSITING_MODE=1", {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"}, "none"),
    ("CPU painting: WEBKIT_SKIA_ENABLE_CPU_RENDERING=1", {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": "1"}, "none"),
    ("DMA-BUF renderer off: WEBKIT_DISABLE_DMABUF_RENDERER=1", {"WEBKIT_DISABLE_DMABUF_RENDERER": "1"}, "none"),
    ("JIT without its top tiers: JSC_useDFGJIT=0 JSC_useFTLJIT=0",
     {"JSC_useDFGJIT": "0", "JSC_useFTLJIT": "0"}, "none"),
    ("JIT off: JSC_useJIT=0", {"JSC_useJIT": "0"}, "none"),
    # On top of the kept knob: the JIT's memory, and glibc's per-thread malloc
    # arenas (every process of the tree, each with several threads).
    ("compositing off and JIT off", {"WEBKIT_DISABLE_COMPOSITING_MODE": "1", "JSC_useJIT": "0"}, "none"),
    ("compositing off and MALLOC_ARENA_MAX=2", {"WEBKIT_DISABLE_COMPOSITING_MODE": "1", "MALLOC_ARENA_MAX": "2"},
     "none"),
    ("Topup as shipped, the baseline untuned", {}, ""),
]


def knobs(target: Path, cli: Path, sandbox: Sandbox, runs: int, idle: float, work: Path,
          only: list[str] | None = None):
    rows = []
    for i, (label, variables, tuning) in enumerate(KNOBS):
        if only and not any(text in label for text in only):
            continue
        topup_env = dict(variables or {})
        if tuning:
            topup_env["TOPUP_WEBKIT_TUNING"] = tuning
        r = startup_and_memory(target, cli, sandbox, runs, idle, work, topup_env, variables, f"knob{i}")
        rows.append({"knob": label, "topup": r["topup"], "baseline": r["baseline"],
                     "processes": r["processes"]})
    return rows


# ---- WebDriver (tauri-driver), just what the purchases need ------------------------------


class WebDriver:
    ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

    def __init__(self, application: Path, env: dict, log_path: Path):
        self.port = free_port()
        self.native_port = free_port()
        self.log_path = log_path
        self.log_file = open(log_path, "wb")
        self.driver = subprocess.Popen(
            ["tauri-driver", "--port", str(self.port), "--native-port", str(self.native_port)],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        for port in (self.port, self.native_port):
            wait_until(f"port {port}", lambda p=port: self._listening(p))
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "wry", "tauri:options": {"application": str(application), "args": []}}}}
        status, body = http("POST", self.url("/session"), caps, timeout=60)
        if status != 200:
            raise RuntimeError(f"no WebDriver session: {status} {body}")
        self.session = body["value"]["sessionId"]
        self.resent = 0

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # tauri-driver keeps its connection to WebKitWebDriver open between
    # commands, and now and then WebKitWebDriver has closed it just as the
    # next command goes out: tauri-driver logs "connection reset by peer" and
    # hangs up on us without an answer. The session itself is fine, so the
    # command is sent again (each time counted in `resent`).
    def send(self, method: str, path: str, body=None, timeout: float = 60.0):
        for attempt in range(4):
            try:
                return http(method, self.url(f"/session/{self.session}{path}"), body, timeout=timeout)
            except (http_client.RemoteDisconnected, ConnectionResetError) as err:
                failure = err
            except urllib.error.URLError as err:
                if not isinstance(err.reason, (http_client.RemoteDisconnected, ConnectionResetError)):
                    raise
                failure = err
            self.resent += 1
            log(f"WebDriver {method} {path}: {failure}; sending it again")
            time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"WebDriver {method} {path}: no answer after 4 attempts")

    def call(self, method: str, path: str, body=None):
        status, answer = self.send(method, path, body)
        if status != 200:
            raise RuntimeError(f"WebDriver {method} {path}: {status} {answer}")
        return answer["value"]

    def execute_async(self, script: str, timeout: float = 60.0):
        """Runs `script` in the page; its last argument is the callback that answers."""
        status, answer = self.send("POST", "/execute/async", {"script": script, "args": []}, timeout=timeout)
        if status != 200:
            raise RuntimeError(f"WebDriver script: {status} {answer}")
        return answer["value"]

    def find(self, css: str):
        def found():
            status, answer = self.send("POST", "/element", {"using": "css selector", "value": css})
            return answer["value"][self.ELEMENT] if status == 200 else None
        return wait_until(f"element {css}", found)

    def click(self, css: str) -> None:
        element = self.find(css)
        resent = self.resent
        status, answer = self.send("POST", f"/element/{element}/click", {})
        # An answer lost on the way back (see `send`) makes the second click
        # land on an element the first one already took off the page.
        if status != 200 and not (self.resent > resent and "stale" in str(answer)):
            raise RuntimeError(f"WebDriver click {css}: {status} {answer}")

    def type_into(self, css: str, text: str) -> None:
        element = self.find(css)
        # Checked after typing: a command sent again (see `send`) must not
        # leave the text typed twice.
        for _ in range(3):
            self.call("POST", f"/element/{element}/clear", {})
            self.call("POST", f"/element/{element}/value", {"text": text})
            if self.call("GET", f"/element/{element}/property/value") == text:
                return
        raise RuntimeError(f"could not type {text!r} into {css}")

    def exists(self, css: str) -> bool:
        status, _ = self.send("POST", "/element", {"using": "css selector", "value": css})
        return status == 200

    def text(self, css: str) -> str:
        return self.call("GET", f"/element/{self.find(css)}/text") or ""

    def log_lines(self) -> list[str]:
        return self.log_path.read_bytes().decode(errors="replace").splitlines()

    def close(self) -> None:
        try:
            http("DELETE", self.url(f"/session/{self.session}"), timeout=20)
        finally:
            stop(self.driver)
            self.log_file.close()


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, capture_output=True)


def focused_window() -> str:
    out = subprocess.run(["xdotool", "getwindowfocus", "getwindowname"], capture_output=True, text=True)
    return out.stdout.strip()


def focus_other() -> None:
    # Checked through X, not the page: WebKitWebDriver has been seen to drop
    # its connection when scripts run across focus changes.
    xdotool("search", "--sync", "--name", "^xmessage$", "windowfocus", "--sync")
    wait_until("another window to have the focus", lambda: focused_window() == "xmessage")


def focus_topup() -> None:
    # Typing and clicking go to a focused window only: WebKitWebDriver drops
    # its connection after a few key or click commands sent to a window in
    # the background (commands that only read work either way). A person
    # types and clicks in a window that is in front, too.
    xdotool("search", "--onlyvisible", "--name", "^Topup$", "windowfocus", "--sync")
    wait_until("Topup to have the focus", lambda: focused_window() == "Topup")


def landed_lines(driver: WebDriver) -> list[re.Match]:
    return [m for m in map(SHOWN.search, driver.log_lines()) if m and m.group(2) == "Landed"]


def start_purchase(driver: WebDriver, profile: Profile) -> str:
    before = len(profile.opened_urls())
    driver.type_into("[data-testid='amount']", "5")
    wait_until("the quote", lambda: "Buy 500 credits" in driver.text("[data-testid='buy']"))
    driver.click("[data-testid='buy']")
    url = wait_until("the checkout page to be opened",
                     lambda: (profile.opened_urls()[before:] or [None])[0])
    match = re.search(r"/(cs_[A-Za-z0-9_]+)", url)
    if not match:
        raise RuntimeError(f"not a checkout URL: {url}")
    return match.group(1)


def time_to_credits(target: Path, cli: Path, sandbox: Sandbox, purchases: int, max_delay: float,
                    work: Path, seed: int):
    profile = Profile(work / "credits")
    profile.sign_in(cli, sandbox)
    rng = random.Random(seed)
    other = subprocess.Popen(["xmessage", "-geometry", "300x100+0+0", "another app"])
    driver = WebDriver(target / "release/topup", profile.env, work / "credits-driver.log")
    results = {"focus": [], "background": [], "shown_before_focus": 0, "delays": []}
    try:
        driver.find("[data-testid='balance']")
        for i in range(purchases * 2):
            mode = "focus" if i % 2 == 0 else "background"
            latency, delay, before_focus = one_purchase(driver, profile, sandbox, rng, mode, max_delay)
            results[mode].append(latency)
            results["delays"].append(delay)
            results["shown_before_focus"] += before_focus
            log(f"purchase {i + 1}/{purchases * 2} ({mode}, paid after {delay:.1f} s): "
                f"on screen {latency:.0f} ms after {'focus' if mode == 'focus' else 'settling'}")
    finally:
        results["resent"] = driver.resent
        driver.close()
        other.terminate()
    return results


def one_purchase(driver: WebDriver, profile: Profile, sandbox: Sandbox, rng: random.Random, mode: str,
                 max_delay: float):
    # Buy is clicked in Topup, then the checkout page (another window) is in
    # front while the person pays.
    focus_topup()
    session_id = start_purchase(driver, profile)
    focus_other()
    seen = len(landed_lines(driver))
    delay = rng.uniform(0.5, max_delay)
    # The person on the checkout page; the time this takes is the protocol.
    time.sleep(delay)
    status, body = http("POST", f"{sandbox.admin}/checkout/{session_id}/pay", {"card": CARD})
    if status != 200:
        raise RuntimeError(f"payment failed: {status} {body}")
    settled = wait_until("the settlement", lambda: sandbox.settlement(session_id))["wall_ms"]
    focused_at = None
    if mode == "focus":
        focused_at = now_ms()
        xdotool("search", "--onlyvisible", "--name", "^Topup$", "windowfocus", "--sync")
    shown = wait_until("the new balance on screen",
                       lambda: (landed_lines(driver)[seen:] or [None])[0])
    shown_at = int(shown.group(3))
    before_focus = 0
    if mode == "focus":
        latency = shown_at - focused_at
        if latency < 0:
            before_focus = 1
        latency = max(latency, 0.0)
    else:
        latency = shown_at - settled
    focus_topup()
    driver.click("[data-testid='done']")
    driver.find("[data-testid='balance']")
    return latency, delay, before_focus


def watcher_requests(target: Path, cli: Path, sandbox: Sandbox, minutes_after: int, work: Path):
    profile = Profile(work / "watcher")
    profile.sign_in(cli, sandbox)
    other = subprocess.Popen(["xmessage", "-geometry", "300x100+0+0", "another app"])
    driver = WebDriver(target / "release/topup", profile.env, work / "watcher-driver.log")
    try:
        driver.find("[data-testid='balance']")
        focus_topup()
        http("DELETE", f"{sandbox.admin}/requests")
        start_purchase(driver, profile)
        started = now_ms()
        focus_other()
        total = 300 + 60 * minutes_after
        log(f"watcher: the purchase is left unpaid for {total // 60} minutes")
        time.sleep(total + 1)
        entries = sandbox.get("/requests")
    finally:
        driver.close()
        other.terminate()
    watcher = [e for e in entries if e["path"].startswith("/api/v1/") and e["at_ms"] >= started
               and not (e["method"] == "POST" and e["path"].endswith("/stripe/buy"))]
    first = [e for e in watcher if e["at_ms"] < started + 300_000]
    per_minute = []
    for m in range(minutes_after):
        lo = started + 300_000 + m * 60_000
        per_minute.append(sum(1 for e in watcher if lo <= e["at_ms"] < lo + 60_000))
    paths: dict[str, int] = {}
    for e in first:
        key = re.sub(r"/users/[^/]+", "/users/{id}", f"{e['method']} {e['path']}")
        paths[key] = paths.get(key, 0) + 1
    return {"first_five_minutes": len(first), "per_minute_after": per_minute, "paths": paths}


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process tree so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        # utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def wakeups(root: int) -> int:
    """Context switches of every thread of a process tree so far: each is the
    thread waking up (voluntary: it had slept; the rest: it was preempted)."""
    total = 0
    for pid in process_tree(root):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    total += int(line.split()[1])
    return total


def idle_home(target: Path, cli: Path, sandbox: Sandbox, idle_minutes: float, work: Path):
    """Both windows open, Topup on the home screen: CPU time and wake-ups of
    each whole process tree over the idle minutes."""
    profile = Profile(work / "idle")
    profile.sign_in(cli, sandbox)
    base_env = Profile(work / "idle-baseline").env
    wait_until("no other Topup", lambda: not instance_name_taken(), deadline=10)
    topup = subprocess.Popen([str(target / "release/topup")], env=profile.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    topup_out = Output(topup.stdout)
    baseline = subprocess.Popen([str(target / "release/topup-bench-baseline")], env=base_env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    baseline_out = Output(baseline.stdout)
    try:
        wait_until("Topup's home balance", lambda: any(m.group(2) == "Home" for m in topup_out.matches(SHOWN)))
        wait_until("the baseline's page", lambda: baseline_out.matches(PAGE_PAINTED))
        time.sleep(60)
        log(f"idle on home: {idle_minutes:.0f} minutes, the baseline beside it")
        before = [(cpu_seconds(p.pid), wakeups(p.pid)) for p in (topup, baseline)]
        time.sleep(idle_minutes * 60)
        after = [(cpu_seconds(p.pid), wakeups(p.pid)) for p in (topup, baseline)]
    finally:
        stop(topup)
        stop(baseline)
    seconds = idle_minutes * 60
    (t0, tw0), (b0, bw0) = before
    (t1, tw1), (b1, bw1) = after
    return {
        "minutes": idle_minutes,
        "cpu_topup_s": t1 - t0, "cpu_baseline_s": b1 - b0,
        "cpu_topup_pct": 100 * (t1 - t0) / seconds, "cpu_baseline_pct": 100 * (b1 - b0) / seconds,
        "wakeups_topup_per_s": (tw1 - tw0) / seconds, "wakeups_baseline_per_s": (bw1 - bw0) / seconds,
    }


def long_run(target: Path, cli: Path, sandbox: Sandbox, minutes: float, work: Path):
    """A purchase left pending (the watcher running) with the window in the
    background: PSS of the process tree once settled and every 5 minutes."""
    profile = Profile(work / "long")
    profile.sign_in(cli, sandbox)
    other = subprocess.Popen(["xmessage", "-geometry", "300x100+0+0", "another app"])
    driver = WebDriver(target / "release/topup", profile.env, work / "long-driver.log")
    samples = []
    try:
        driver.find("[data-testid='balance']")
        focus_topup()
        start_purchase(driver, profile)
        focus_other()
        pid = driver_app_pid(driver)
        # Settled: the purchase screen up and the watcher's first minute gone.
        time.sleep(60)
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            samples.append((elapsed / 60, sum(pss_kib(p) for p in process_tree(pid)) / 1024))
            log(f"long run: {elapsed / 60:.0f} min, {samples[-1][1]:.1f} MiB")
            if elapsed >= minutes * 60:
                break
            time.sleep(min(300, minutes * 60 - elapsed))
    finally:
        driver.close()
        other.terminate()
    first, last = samples[0][1], samples[-1][1]
    return {"minutes": minutes, "samples": samples, "growth_pct": 100 * (last - first) / first}


def driver_app_pid(driver: "WebDriver") -> int:
    """The app tauri-driver started (through WebKitWebDriver), by its binary's name."""
    for pid in process_tree(driver.driver.pid):
        try:
            if Path(f"/proc/{pid}/exe").resolve().name == "topup":
                return pid
        except OSError:
            continue
    raise RuntimeError("tauri-driver started no topup")


def desk(target: Path, cli: Path, sandbox: Sandbox, idle_minutes: float, hour_minutes: float, work: Path):
    accounts = 3
    profile = Profile(work / "desk")
    for _ in range(accounts):
        profile.sign_in(cli, sandbox)
    base_env = Profile(work / "desk-baseline").env
    wait_until("no other Topup", lambda: not instance_name_taken(), deadline=10)
    topup = subprocess.Popen([str(target / "release/topup"), "--background"], env=profile.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    topup_out = Output(topup.stdout)
    baseline = subprocess.Popen([str(target / "release/topup-bench-baseline")], env=base_env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    Output(baseline.stdout)
    try:
        # Both up and settled: the first round of checks is over.
        wait_until("Topup's first round of balance checks",
                   lambda: len(sandbox.get("/requests?method=GET&path=/api/v1/users/*")) >= accounts, deadline=60)
        time.sleep(60)
        log(f"desk: {idle_minutes:.0f} idle minutes in the tray, the baseline beside it")
        cpu0 = (cpu_seconds(topup.pid), cpu_seconds(baseline.pid))
        start = now_ms()
        time.sleep(idle_minutes * 60)
        cpu1 = (cpu_seconds(topup.pid), cpu_seconds(baseline.pid))
        stop(baseline)
        rest = max(0.0, hour_minutes * 60 - (now_ms() - start) / 1000)
        log(f"desk: {rest / 60:.0f} more minutes for the background refresh's hour")
        time.sleep(rest)
        end = now_ms()
        # An app that is gone makes no requests: that must not read as a quiet refresh.
        if topup.poll() is not None:
            raise RuntimeError(f"Topup exited during the run (status {topup.returncode}):\n{topup_out.text()[-2000:]}")
        entries = sandbox.get("/requests")
    finally:
        stop(topup)
        stop(baseline)
    hour = [e for e in entries if e["path"].startswith("/api/v1/") and start <= e["at_ms"] < end]
    paths: dict[str, int] = {}
    for e in hour:
        key = re.sub(r"/users/[^/]+", "/users/{id}", f"{e['method']} {e['path']}")
        paths[key] = paths.get(key, 0) + 1
    seconds = idle_minutes * 60
    return {
        "accounts": accounts,
        "minutes": (end - start) / 60_000,
        "requests": len(hour),
        "per_account_per_hour": len(hour) / accounts * 3_600_000 / (end - start),
        "paths": paths,
        "idle_minutes": idle_minutes,
        "cpu_topup_s": cpu1[0] - cpu0[0],
        "cpu_baseline_s": cpu1[1] - cpu0[1],
        "cpu_topup_pct": 100 * (cpu1[0] - cpu0[0]) / seconds,
        "cpu_baseline_pct": 100 * (cpu1[1] - cpu0[1]) / seconds,
        "log_tail": topup_out.text()[-2000:],
        # One line a round (at least one a minute) while the refresh loop lives.
        "rounds": [line for line in topup_out.text().splitlines() if "balance round" in line][-3:],
    }


# In the page: click, then look at each frame until the first history row is
# in the DOM; two more frames and it has been painted. The time is the page's
# own (performance.now), from the click to that paint.
HISTORY_OPEN = """
const done = arguments[arguments.length - 1];
const started = performance.now();
document.querySelector("[data-testid='open-history']").click();
const look = () => {
  if (document.querySelector("[data-testid='history-entry']")) {
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started)));
  } else {
    requestAnimationFrame(look);
  }
};
requestAnimationFrame(look);
"""


def history(target: Path, cli: Path, sandbox: Sandbox, rows: int, opens: int, work: Path):
    """10,000 transactions on the Sandbox: history opened → its first page painted."""
    profile = Profile(work / "history")
    profile.sign_in(cli, sandbox)
    status, _ = http("POST", f"{sandbox.admin}/clara/users/{USER_EMAIL}/history", {"count": rows})
    if status != 200:
        raise RuntimeError(f"the Sandbox did not seed the history: {status}")
    driver = WebDriver(target / "release/topup", profile.env, work / "history-driver.log")
    times = []
    try:
        driver.find("[data-testid='balance']")
        focus_topup()
        for i in range(opens):
            times.append(driver.execute_async(HISTORY_OPEN))
            log(f"history open {i + 1}/{opens}: first page painted after {times[-1]:.0f} ms")
            driver.click("[data-testid='history-back']")
            driver.find("[data-testid='balance']")
    finally:
        driver.close()
    return {"rows": rows, "ms": times}


# ---- the report ------------------------------------------------------------------------


def kib(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(r: dict) -> str:
    rows = ["| measure | Topup | baseline | ratio | goal | |", "|---|---|---|---|---|---|"]
    if "sizes" in r:
        s = r["sizes"]
        for key, label in [("binary", "release binary"), (".deb", ".deb package")]:
            t, b = s["binary" if key == "binary" else "deb"]
            rows.append(f"| {label} | {mib(t)} | {mib(b)} | {t / b:.2f}× | ≤ 2.0× | {verdict(t / b <= 2.0)} |")
        (jr, jg), (br, bg) = s["js"]
        rows.append(f"| shipped JS, raw / gzip | {kib(jr)} / {kib(jg)} | {kib(br)} / {kib(bg)} | | ≤ 40 KB gzip | {verdict(jg <= 40_000)} |")
        (cr, cg), (bcr, bcg) = s["css"]
        rows.append(f"| shipped CSS, raw / gzip | {kib(cr)} / {kib(cg)} | {kib(bcr)} / {kib(bcg)} | | | |")
    if "startup" in r:
        t, b = summary(r["startup"]["topup"]["ms"]), summary(r["startup"]["baseline"]["ms"])
        ratio = t["median"] / b["median"]
        cell = ratio_cell(ratio, t["values"], b["values"])
        rows.append(f"| start-up: launch → balance / page painted | {spread(t, 'ms')} | {spread(b, 'ms')} | {cell} | ≤ 1.10× | {verdict(ratio <= 1.10)} |")
        t, b = summary(r["startup"]["topup"]["page_ms"]), summary(r["startup"]["baseline"]["page_ms"])
        ratio = t["median"] / b["median"]
        if r["startup"]["topup"].get("fresh_ms"):
            t = summary(r["startup"]["topup"]["fresh_ms"])
            rows.append(f"| launch → the service's balance painted (after the last one read) | {spread(t, 'ms')} | | | | |")
        t, b = summary(r["startup"]["topup"]["page_ms"]), summary(r["startup"]["baseline"]["page_ms"])
        rows.append(f"| of which launch → page loaded | {spread(t, 'ms')} | {spread(b, 'ms')} | {ratio:.2f}× | | |")
        # Topup's steps after the load, each run's own differences, then their medians.
        topup = r["startup"]["topup"]
        if len(topup.get("startup_ms", [])) == len(topup.get("ready_ms", [])) == len(topup["ms"]) > 0:
            gaps = [
                ("page loaded → `startup` asked", topup["page_ms"], topup["startup_ms"]),
                ("`startup` asked → first screen ready (the page's script)", topup["startup_ms"], topup["ready_ms"]),
                ("first screen ready → balance painted (the window shown and painted)", topup["ready_ms"], topup["ms"]),
            ]
            for label, first, then in gaps:
                differences = [b - a for a, b in zip(first, then) if a is not None and b is not None]
                if differences:
                    rows.append(f"| of which {label} | {spread(summary(differences), 'ms')} | | | | |")
        t, b = summary(r["startup"]["topup"]["pss"]), summary(r["startup"]["baseline"]["pss"])
        ratio = t["median"] / b["median"]
        cell = ratio_cell(ratio, t["values"], b["values"])
        rows.append(f"| memory: PSS of the process tree after {r['idle']:.0f} s idle | {spread(t, 'MiB', 1)} | {spread(b, 'MiB', 1)} | {cell} | ≤ 0.90× | {verdict(ratio <= 0.90)} |")
    if "credits" in r:
        c = r["credits"]
        f, bg = summary(c["focus"]), summary(c["background"])
        rows.append(f"| credits on screen after focus returns | median {f['median']:.0f} ms, p95 {f['p95']:.0f} ms ({f['min']:.0f}–{f['max']:.0f}, n={f['n']}) | | | median ≤ 500 ms | {verdict(f['median'] <= 500)} |")
        rows.append(f"| credits on screen after settling, window in the background | median {bg['median']:.0f} ms, p95 {bg['p95']:.0f} ms ({bg['min']:.0f}–{bg['max']:.0f}, n={bg['n']}) | | | p95 ≤ 2500 ms | {verdict(bg['p95'] <= 2500)} |")
    if "watcher" in r:
        w = r["watcher"]
        after = w["per_minute_after"]
        rows.append(f"| watcher requests, first 5 minutes | {w['first_five_minutes']} | | | ≤ 40 | {verdict(w['first_five_minutes'] <= 40)} |")
        if after:
            rows.append(f"| watcher requests per minute after | {', '.join(map(str, after))} | | | ≤ 6 | {verdict(max(after) <= 6)} |")
    if "desk" in r:
        d = r["desk"]
        rows.append(f"| background refresh: requests per account per hour (default 15 min, {d['accounts']} accounts, {d['minutes']:.0f} min) | {d['per_account_per_hour']:.2f} | | | ≤ 4 | {verdict(d['per_account_per_hour'] <= 4)} |")
        diff = d['cpu_topup_pct'] - d['cpu_baseline_pct']
        rows.append(f"| CPU over {d['idle_minutes']:.0f} idle minutes (in the tray, {d['accounts']} accounts) | {d['cpu_topup_s']:.2f} s ({d['cpu_topup_pct']:.3f} %) | {d['cpu_baseline_s']:.2f} s ({d['cpu_baseline_pct']:.3f} %) | {diff:+.3f} pp | | |")
    if "idle_home" in r:
        h = r["idle_home"]
        diff = h["cpu_topup_pct"] - h["cpu_baseline_pct"]
        rows.append(f"| CPU over {h['minutes']:.0f} idle minutes on the home screen | {h['cpu_topup_s']:.2f} s ({h['cpu_topup_pct']:.3f} %) | {h['cpu_baseline_s']:.2f} s ({h['cpu_baseline_pct']:.3f} %) | {diff:+.3f} pp | within 0.2 pp | {verdict(abs(diff) <= 0.2)} |")
        rows.append(f"| wake-ups per second, same minutes | {h['wakeups_topup_per_s']:.1f} | {h['wakeups_baseline_per_s']:.1f} | | | |")
    if "long" in r:
        g = r["long"]
        rows.append(f"| PSS growth over {g['minutes']:.0f} minutes, a purchase pending | {g['growth_pct']:+.1f} % ({g['samples'][0][1]:.1f} → {g['samples'][-1][1]:.1f} MiB) | | | ≤ 5 % | {verdict(g['growth_pct'] <= 5)} |")
    if "history" in r:
        h = summary(r["history"]["ms"])
        rows.append(f"| history, {r['history']['rows']:,} rows: opened → first page painted | {spread(h, 'ms')} | | | ≤ 500 ms | {verdict(h['median'] <= 500)} |")
    if "knobs" in r:
        rows.append("")
        rows.append(knob_table(r["knobs"]))
    return "\n".join(rows)


def web_process_mib(processes: list[dict]) -> str:
    values = [v for run in processes for k, v in run.items() if k.startswith("WebKitWebProc")]
    return f"{statistics.median(values):.1f}" if values else "–"


def knob_table(rows: list[dict]) -> str:
    out = ["| knob | Topup: balance painted | Topup: PSS (web process) | baseline: page painted | baseline: PSS (web process) |",
           "|---|---|---|---|---|"]
    for row in rows:
        t, b = row["topup"], row["baseline"]
        base = ("| – | – |" if not b["ms"] else
                f"| {statistics.median(b['ms']):.0f} ms | {statistics.median(b['pss']):.1f} MiB "
                f"({web_process_mib(row['processes'].get('baseline', []))}) |")
        out.append(f"| {row['knob']} | {statistics.median(t['ms']):.0f} ms | {statistics.median(t['pss']):.1f} MiB "
                   f"({web_process_mib(row['processes'].get('topup', []))}) {base}")
    n = len(rows[0]["topup"]["ms"]) if rows else 0
    out.append(f"\nMedians of {n} interleaved launches per app and knob, PSS of the process tree after the idle time.")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")),
                        help="the cargo target directory")
    # Ten launches gave 1.06–1.21× for one build's start-up; thirty narrow the
    # ratio's interval to about ±0.05×.
    parser.add_argument("--runs", type=int, default=30, help="launches of each app")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before reading memory")
    parser.add_argument("--purchases", type=int, default=30, help="purchases in each window mode")
    parser.add_argument("--max-delay", type=float, default=12.0, help="longest wait before paying, s")
    parser.add_argument("--minutes-after", type=int, default=2, help="minutes watched after the first five")
    parser.add_argument("--idle-minutes", type=float, default=10.0, help="idle minutes for the CPU figure")
    parser.add_argument("--hour-minutes", type=float, default=60.0,
                        help="minutes counted for the background refresh's requests per hour")
    parser.add_argument("--only", action="append", choices=["sizes", "startup", "knobs", "credits", "watcher", "idle_home", "long", "desk", "history"])
    parser.add_argument("--long-minutes", type=float, default=60.0, help="minutes of the long run's PSS")
    parser.add_argument("--history-rows", type=int, default=10_000, help="transactions seeded for the history")
    parser.add_argument("--history-opens", type=int, default=5, help="times the history is opened")
    parser.add_argument("--knob-runs", type=int, default=3, help="launches of each app per WebKit knob")
    parser.add_argument("--knob", action="append", metavar="TEXT",
                        help="only the knob rows whose label contains TEXT (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--report", type=Path, nargs="+",
                        help="print the table of earlier runs' JSON files (merged) instead of measuring")
    args = parser.parse_args()
    if args.report:
        merged: dict = {}
        for path in args.report:
            merged.update(json.loads(path.read_text()))
        print(report(merged))
        return 0
    only = set(args.only or ["sizes", "startup", "knobs", "credits", "watcher", "idle_home", "long", "desk", "history"])
    target = args.target.resolve()
    cli = target / "debug/topup-cli"
    results: dict = {"idle": args.idle, "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release}}
    # Kept after the run: the app's and the driver's logs explain a failure.
    work = target / "bench" / time.strftime("run-%Y%m%d-%H%M%S")
    work.mkdir(parents=True, exist_ok=True)
    log(f"profiles and logs in {work}")
    if "sizes" in only:
        results["sizes"] = sizes(target)
    sandbox = Sandbox(target / "debug/topup-sandbox") if only - {"sizes"} else None
    parts = [
        ("startup", lambda: startup_and_memory(target, cli, sandbox, args.runs, args.idle, work)),
        ("knobs", lambda: knobs(target, cli, sandbox, args.knob_runs, args.idle, work, args.knob)),
        ("credits", lambda: time_to_credits(target, cli, sandbox, args.purchases, args.max_delay, work, args.seed)),
        ("watcher", lambda: watcher_requests(target, cli, sandbox, args.minutes_after, work)),
        ("idle_home", lambda: idle_home(target, cli, sandbox, args.idle_minutes, work)),
        ("long", lambda: long_run(target, cli, sandbox, args.long_minutes, work)),
        ("desk", lambda: desk(target, cli, sandbox, args.idle_minutes, args.hour_minutes, work)),
        # Last: it leaves the demo user with a long history.
        ("history", lambda: history(target, cli, sandbox, args.history_rows, args.history_opens, work)),
    ]
    try:
        for name, measure in parts:
            if name not in only:
                continue
            # A run takes hours: one part that fails is reported, the others still measured.
            try:
                results[name] = measure()
            except Exception as error:  # noqa: BLE001 - any failure of a part is reported the same way
                log(f"{name} failed: {error!r}")
                results.setdefault("failed", {})[name] = f"{error!r}"
            if args.json:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(results, indent=2))
    finally:
        if sandbox:
            sandbox.close()
    table = report(results)
    print(table)
    for name, error in results.get("failed", {}).items():
        print(f"\n{name} FAILED: {error}")
    if "watcher" in results:
        print(f"\nWatcher requests in the first 5 minutes by endpoint: {results['watcher']['paths']}")
    if "desk" in results:
        print(f"Background refresh requests by endpoint in that hour: {results['desk']['paths']}")
    if "startup" in results:
        for name, runs in results["startup"]["processes"].items():
            per: dict[str, list[float]] = {}
            for run in runs:
                for process, mib_ in run.items():
                    per.setdefault(process.split(" (")[0], []).append(mib_)
            print(f"PSS by process, {name} (median MiB): "
                  + ", ".join(f"{p} {statistics.median(v):.1f}" for p, v in per.items()))
    if "credits" in results:
        print(f"Focus returned after the new balance was already on screen: "
              f"{results['credits']['shown_before_focus']} of {len(results['credits']['focus'])}")
        print(f"WebDriver commands sent again after tauri-driver lost them: {results['credits']['resent']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if results.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())

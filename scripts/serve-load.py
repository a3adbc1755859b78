#!/usr/bin/env python3
"""Loopback load on `blendsim serve`, hostile requests mixed in (docs/SERVE.md, PERFORMANCE.md).

Starts the server on a free loopback port, then for each concurrency level runs clients that
send what-if requests (a 2-group x 100-student x 30-replication comparison, and a run) while
others send hostile ones: a wrong Host, a cross-site Origin, no token where one is needed,
a form post, a body over the cap, a header of 200 KB, malformed JSON, a scenario that includes
a file, one asking for too much work, a half-sent request left open. Every answer must be the
right simulation (the same summary for the same scenario every time) or a clear refusal
(4xx/503 with an error object); the server must not crash and its memory must stay bounded.
Prints p50/p95 latency of the what-ifs per level, and exits non-zero on any failure.

    python3 scripts/serve-load.py [--server .build/debug/blendsim-serve] [--levels 1,8,64]
        [--seconds 10] [--quick]
"""
import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

SCENARIO = """name: what-if
seed: 7
replications: 30
groups:
  - name: flipped
    students: 100
    levels: {pre_intermediate: 0.69, intermediate: 0.2, upper_intermediate: 0.11}
    model: flipped-classroom
    online_share: 0.4
  - name: classroom
    students: 100
    levels: {pre_intermediate: 0.69, intermediate: 0.2, upper_intermediate: 0.11}
    model: traditional
variants:
  - name: "40/60"
    groups: {flipped: {online_share: 0.4}}
  - name: "20/80"
    groups: {flipped: {online_share: 0.2}}
"""
RUN = SCENARIO.split("variants:")[0]


def start(server, extra=()):
    process = subprocess.Popen([server, "--port", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://([^/]+):(\d+)/(\?token=(\w+))?", line)
    if not match:
        process.kill()
        raise SystemExit("the server printed no address: " + line + process.stderr.read())
    return process, match.group(1).strip("[]"), int(match.group(2)), match.group(4)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(port, method, path, body=None, headers=None, host=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    all_headers = {"Host": host or f"127.0.0.1:{port}"}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def raw(port, payload, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(payload)
        if not read:
            return b""
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


class Check:
    def __init__(self):
        self.failures = []
        self.lock = threading.Lock()

    def fail(self, message):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(message)


def error_object(data):
    try:
        document = json.loads(data)
        return isinstance(document.get("error", {}).get("message"), str)
    except Exception:
        return False


def hostile(port, check, index):
    """One hostile request; the answer must be a clear refusal, never a crash or a result."""
    big = json.dumps({"scenario": "x" * (1 << 21)}).encode()
    cases = [
        ("wrong host", lambda: request(port, "POST", "/api/v1/run", json.dumps({"scenario": RUN}), host="evil.example:80"), {403}),
        ("cross-site origin", lambda: request(port, "POST", "/api/v1/run", json.dumps({"scenario": RUN}), {"Origin": "http://evil.example"}), {403}),
        ("form post", lambda: request(port, "POST", "/api/v1/run", "scenario=x", {"Content-Type": "application/x-www-form-urlencoded"}), {415}),
        ("body over the cap", lambda: request(port, "POST", "/api/v1/run", big), {413}),
        ("malformed JSON", lambda: request(port, "POST", "/api/v1/run", "{\"scenario\": "), {400}),
        ("include", lambda: request(port, "POST", "/api/v1/run", json.dumps({"scenario": "include: /etc/passwd\n" + RUN})), {422}),
        ("too much work", lambda: request(port, "POST", "/api/v1/run", json.dumps({"scenario": RUN.replace("students: 100", "students: 100000000")})), {422}),
        ("bad scenario", lambda: request(port, "POST", "/api/v1/run", json.dumps({"scenario": RUN.replace("online_share: 0.4", "online_share: 4")})), {422}),
        ("no such path", lambda: request(port, "GET", "/api/v1/nothing"), {404}),
        ("path traversal", lambda: request(port, "GET", "/results/../../etc/passwd"), {404}),
    ]
    name, send, expected = cases[index % len(cases)]
    try:
        status, _, data = send()
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        if name == "body over the cap":
            return  # the server may close a connection whose body it will not read
        check.fail(f"{name}: the connection failed")
        return
    # A POST may also find every simulation slot taken: 503 is a clear refusal too.
    if status == 503 and send.__code__ is not None and name not in ("wrong host", "cross-site origin", "no such path", "path traversal", "form post"):
        expected = expected | {503}
    if status not in expected or not error_object(data):
        check.fail(f"{name}: answered {status} {data[:200]!r}")


def header_bomb(port, check):
    payload = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Big: " % port + b"a" * 200_000 + b"\r\n\r\n"
    try:
        answer = raw(port, payload)
    except (ConnectionResetError, BrokenPipeError):
        return
    if answer.startswith(b"HTTP/1.1 200"):
        check.fail("a 200 KB header was accepted")


def what_if(port, check, latencies, expected, compare=True):
    body = json.dumps({"scenario": SCENARIO if compare else RUN})
    started = time.perf_counter()
    status, _, data = request(port, "POST", "/api/v1/compare" if compare else "/api/v1/run", body)
    elapsed = time.perf_counter() - started
    if status == 503:
        return "busy"
    if status != 200:
        check.fail(f"what-if answered {status}: {data[:300]!r}")
        return "failed"
    summary = json.loads(data)["summary_json"]
    key = "compare" if compare else "run"
    with check.lock:
        if key not in expected:
            expected[key] = summary
    if summary != expected[key]:
        check.fail("the same what-if gave another summary")
    latencies.append(elapsed)
    return "ok"


def level(port, clients, seconds, check, expected, pid):
    latencies = []
    counts = {"ok": 0, "busy": 0, "failed": 0, "hostile": 0}
    stop = time.time() + seconds
    peak = [0]

    def client(index):
        n = 0
        while time.time() < stop:
            n += 1
            if (index + n) % 4 == 0:
                hostile(port, check, index + n)
                counts["hostile"] += 1
            elif (index + n) % 29 == 0:
                header_bomb(port, check)
                counts["hostile"] += 1
            else:
                outcome = what_if(port, check, latencies, expected, compare=(n % 3 != 0))
                counts[outcome] += 1
                if outcome == "busy":
                    time.sleep(0.05)

    def watch():
        while time.time() < stop:
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)] + [threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, counts, peak[0]


def sweep_scenario():
    points = "\n".join(f"  - name: \"{share}% online\"\n    groups: {{flipped: {{online_share: {share / 100}}}}}" for share in range(0, 101, 10))
    return SCENARIO.split("variants:")[0] + "variants:\n" + points + "\n"


def alone(port, check):
    """Latency of one what-if at a time: a run (2 groups x 100 students x 30 replications), the
    same as A against B, and an 11-point sweep of the online share."""
    rows = []
    for label, route, text, count in [("run, 2 groups x 100 x 30", "run", RUN, 20), ("A vs B, 2 groups x 100 x 30", "compare", SCENARIO, 20),
                                      ("sweep, 11 points", "compare", sweep_scenario(), 5)]:
        times = []
        for _ in range(count):
            started = time.perf_counter()
            status, _, data = request(port, "POST", "/api/v1/" + route, json.dumps({"scenario": text}))
            times.append(time.perf_counter() - started)
            if status != 200:
                check.fail(f"{label}: answered {status} {data[:200]!r}")
                break
        rows.append((label, statistics.median(times) * 1000, max(times) * 1000))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=".build/debug/blendsim-serve")
    parser.add_argument("--levels", default="1,8,64")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--quick", action="store_true", help="one short level of 4 clients (for the test suite)")
    parser.add_argument("--max-rss-mib", type=float, default=1024)
    arguments = parser.parse_args()
    levels = [4] if arguments.quick else [int(x) for x in arguments.levels.split(",")]
    seconds = 3 if arguments.quick else arguments.seconds
    check = Check()
    process, _, port, _ = start(arguments.server)
    expected = {}
    try:
        # A half-sent request held open must not stop others.
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /api/v1/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
        if not arguments.quick:
            print(f"{'one at a time':<30} {'median ms':>10} {'max ms':>8}")
            for label, median, most in alone(port, check):
                print(f"{label:<30} {median:>10.1f} {most:>8.1f}")
        print(f"{'clients':>8} {'what-ifs':>9} {'p50 ms':>8} {'p95 ms':>8} {'busy':>6} {'hostile':>8} {'peak RSS MiB':>13}")
        for clients in levels:
            latencies, counts, peak = level(port, clients, seconds, check, expected, process.pid)
            if process.poll() is not None:
                check.fail("the server ended: " + process.stderr.read()[-2000:])
                break
            if latencies:
                ordered = sorted(latencies)
                p50 = statistics.median(ordered) * 1000
                p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000
            else:
                p50 = p95 = float("nan")
                check.fail(f"no what-if was answered with {clients} clients")
            print(f"{clients:>8} {len(latencies):>9} {p50:>8.1f} {p95:>8.1f} {counts['busy']:>6} {counts['hostile']:>8} {peak / 1024:>13.1f}")
            if peak / 1024 > arguments.max_rss_mib:
                check.fail(f"the server's memory reached {peak / 1024:.0f} MiB")
        slow.close()
        status, _, _ = request(port, "GET", "/")
        if status != 200:
            check.fail(f"after the load the page answers {status}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            check.fail("SIGTERM did not stop the server within 20 s")
    if process.returncode not in (0, -15):
        check.fail(f"the server exited with {process.returncode} on SIGTERM")
    if check.failures:
        print("\n".join("FAIL: " + f for f in check.failures))
        sys.exit(1)
    print("serve load: every answer was the simulation or a clear refusal")


if __name__ == "__main__":
    main()

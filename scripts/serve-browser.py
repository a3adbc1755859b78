#!/usr/bin/env python3
"""A planner's session on the what-if page, in headless Chromium (DevTools protocol).

Opens the page served by blendsim-serve, then, as a planner would: waits for the first answer;
moves the online share slider with the keyboard from 40% to 20% and waits for the new verdict;
ticks a policy (teacher IT training); switches to "design A against design B" and waits for
compare's paired verdict; downloads the scenario YAML and summary.json the page offers and checks
that `blendsim compare` on that YAML gives the same summary.json byte for byte; sweeps the online
share and checks the curve and its table; types an impossible cohort size and checks the error
is shown at that control; checks the report frame shows the report. Fails (exit 1) on any step.

    python3 scripts/serve-browser.py [--build .build/debug] [--screenshot docs/images/serve.png]

Needs chromium (Debian's package) and the websocket-client module (PyPI).
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


class Browser:
    def __init__(self, url):
        self.profile = tempfile.mkdtemp(prefix="blendsim-chromium-")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not chromium:
            raise SystemExit("serve-browser: no chromium on PATH (apt-get install chromium)")
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "--window-size=1280,2400", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline:
                raise SystemExit("serve-browser: chromium did not open its DevTools port")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Page.navigate", url=url)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.js(expression)
            except RuntimeError:
                value = None  # the page is still loading
            if value:
                return value
            time.sleep(0.05)
        status = self.js("document.getElementById('status').textContent + ' ' + document.getElementById('problem').textContent")
        raise AssertionError(f"timed out waiting for {what}; status: {status}")

    def key(self, key, code, keycode):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=keycode)

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def answered_after(browser, previous_verdict, what):
    """Waits for an answer whose verdict differs from `previous_verdict` (or any, if None)."""
    condition = ("(() => { const s = document.getElementById('status').textContent; const v = document.getElementById('verdict').textContent;"
                 f" return s.startsWith('Answered') && v.length > 0 && v !== {json.dumps(previous_verdict)} ? v : ''; }})()")
    return browser.wait(condition, what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=".build/debug")
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    blendsim = os.path.join(arguments.build, "blendsim")
    server = subprocess.Popen([os.path.join(arguments.build, "blendsim-serve"), "--port", "0"], stdout=subprocess.PIPE, text=True)
    match = re.search(r"(http://\S+)", server.stdout.readline())
    if not match:
        server.kill()
        raise SystemExit("serve-browser: the server printed no address")
    url = match.group(1)
    browser = Browser(url)
    started = time.time()
    steps = []
    try:
        verdict = answered_after(browser, None, "the first answer")
        assert "40%" in verdict, verdict
        steps.append("first answer for ratio-40-60.yaml")

        # The online share slider, moved with the keyboard: 40% → 20% (steps of 5).
        browser.js("document.querySelector('input[type=range][data-path=\"groups.0.online_share\"]').focus()")
        for _ in range(4):
            browser.key("ArrowLeft", "ArrowLeft", 37)
        verdict = answered_after(browser, verdict, "the answer at 20% online")
        assert "20%" in verdict, verdict
        label = browser.js("document.querySelector('input[type=range]').getAttribute('aria-valuetext')")
        assert label == "20% online / 80% classroom", label
        steps.append("slider moved to 20/80 with the keyboard")

        # A policy, ticked.
        browser.js("[...document.querySelectorAll('.policies label')].find(l => l.textContent.includes('teacher-it-training')).querySelector('input').click()")
        verdict = answered_after(browser, verdict, "the answer with teacher IT training")
        assert "teacher-it-training" in verdict, verdict
        steps.append("teacher IT training added")

        # Design A against design B (B starts 20 points less online).
        browser.js("document.querySelector('input[name=mode][value=compare]').click()")
        verdict = answered_after(browser, verdict, "the comparison")
        assert "blendsim compare" in verdict and "Verdict" in verdict and "B" in verdict, verdict
        steps.append("A against B compared")

        # The downloads, and the CLI on the downloaded YAML.
        yaml_text = browser.js("fetch(document.getElementById('download-yaml').href).then(r => r.text())")
        summary = browser.js("fetch(document.getElementById('download-summary').href).then(r => r.text())")
        work = tempfile.mkdtemp(prefix="blendsim-browser-")
        with open(os.path.join(work, "downloaded.yaml"), "w") as f:
            f.write(yaml_text)
        result = subprocess.run([blendsim, "compare", os.path.join(work, "downloaded.yaml"), "--out", os.path.join(work, "out"), "--quiet"],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        cli = open(os.path.join(work, "out", "summary.json")).read()
        assert cli == summary, "the page's summary.json differs from blendsim compare's on the downloaded YAML"
        shutil.rmtree(work, ignore_errors=True)
        steps.append("downloaded YAML gives the page's summary.json byte for byte with blendsim compare")

        # The report frame shows the report.
        tree = browser.call("DOM.getDocument", depth=-1, pierce=True)
        text = json.dumps(tree)
        assert "Where this comes from" in text or "Verdict" in text, "the report frame is empty"
        steps.append("report.html shown in its frame")

        # The online share swept from 0% to 100%.
        browser.js("document.querySelector('input[name=mode][value=sweep]').click()")
        browser.wait("!document.getElementById('curve-figure').hidden && document.querySelectorAll('#curve-table tr').length === 12",
                     "the response curve")
        caption = browser.js("document.getElementById('curve-caption').textContent")
        assert "highest at" in caption, caption
        steps.append("response curve drawn: " + caption.split(";")[1].strip().split(" The band")[0])

        if arguments.screenshot:
            # 40/60 (A) against 20/80 (B), as the README's picture shows.
            browser.js("document.querySelector('input[name=mode][value=run]').click()")
            verdict = answered_after(browser, browser.js("document.getElementById('verdict').textContent"), "the run again")
            browser.js("document.querySelector('input[type=range][data-path=\"groups.0.online_share\"]').focus()")
            for _ in range(4):
                browser.key("ArrowRight", "ArrowRight", 39)
            verdict = answered_after(browser, verdict, "the answer at 40% online")
            browser.js("document.querySelector('input[name=mode][value=compare]').click()")
            answered_after(browser, verdict, "the comparison again")
            shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                clip={"x": 0, "y": 0, "width": 1280, "height": 1800, "scale": 1})
            os.makedirs(os.path.dirname(arguments.screenshot) or ".", exist_ok=True)
            with open(arguments.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))

        # An impossible cohort size: the error is shown at that control.
        browser.js("document.querySelector('input[name=mode][value=run]').click()")
        browser.js("const s = document.querySelector('input[data-path=\"groups.0.students\"]'); s.value = '0'; s.dispatchEvent(new Event('input'));")
        message = browser.wait("(() => { const m = document.querySelector('.invalid[data-path=\"groups.0.students\"]'); return m ? m.closest('.field').querySelector('.message').textContent : ''; })()",
                               "the error at the students control")
        assert "students" in message, message
        steps.append("an impossible cohort size is shown at its control: " + message)
    except Exception as error:
        print("serve-browser: FAILED after: " + "; ".join(steps))
        print(f"  {type(error).__name__}: {error}")
        sys.exit(1)
    finally:
        browser.close()
        server.terminate()
        server.wait(timeout=20)
    print(f"serve-browser: a planner's session passed in {time.time() - started:.1f} s:")
    for step in steps:
        print("  - " + step)


if __name__ == "__main__":
    main()

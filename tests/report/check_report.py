#!/usr/bin/env python3
"""Opens an HTML report in headless Chromium and checks that it renders cleanly.

usage: check_report.py REPORT.html SCREENSHOT.png [--run PROGRAM ARGS...]

With --run, first runs PROGRAM ARGS... (the example that writes the report) and fails when it
exits non-zero. Then loads the report from file://, waits until every chart is drawn (the page
sets data-rendered on <body> to its data-figures count once plotly.js has finished), fails on any
browser console message of level SEVERE (uncaught errors, failed loads, console.error) and on any
network request (a report must work offline), and saves a screenshot of the whole page.

Exit codes: 0 pass, 1 fail, 77 skipped (selenium or chromium/chromedriver not installed).
"""
import os
import shutil
import subprocess
import sys
import time


def fail(message):
    print(f"check_report: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    report, screenshot = os.path.abspath(args[0]), os.path.abspath(args[1])
    if len(args) > 2:
        if args[2] != "--run" or len(args) < 4:
            fail("expected --run PROGRAM ARGS... after the two paths")
        run = subprocess.run(args[3:])
        if run.returncode != 0:
            fail(f"{' '.join(args[3:])} exited with {run.returncode}")
    if not os.path.isfile(report):
        fail(f"no report at {report}")

    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("check_report: SKIP: python3-selenium is not installed", file=sys.stderr)
        sys.exit(77)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not os.path.exists(driver_path) or browser is None:
        print("check_report: SKIP: chromium / chromium-driver are not installed", file=sys.stderr)
        sys.exit(77)

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 # WebGL (the 3-D charts) in software: there is no GPU on a CI machine
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get("file://" + report)
        figures = int(driver.execute_script("return document.body.getAttribute('data-figures') || '0'"))
        deadline = time.time() + 120
        rendered = None
        while time.time() < deadline:
            rendered = driver.execute_script("return document.body.getAttribute('data-rendered')")
            if rendered is not None:
                break
            time.sleep(0.2)
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        for e in severe:
            print(f"check_report: console: {e.get('message')}", file=sys.stderr)
        requests = []
        for e in driver.get_log("performance"):
            message = e.get("message", "")
            if '"Network.requestWillBeSent"' in message and '"url":"http' in message:
                requests.append(message[:300])
        # the whole page in one picture
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(int(height), 600), 16000))
        time.sleep(0.5)
        os.makedirs(os.path.dirname(screenshot), exist_ok=True)
        driver.save_screenshot(screenshot)
    finally:
        driver.quit()

    if severe:
        fail(f"{len(severe)} console error(s) in {report}")
    if requests:
        fail(f"the report made {len(requests)} network request(s): {requests[0]}")
    if rendered is None:
        fail(f"the charts did not finish drawing within 120 s ({figures} expected)")
    if int(rendered) != figures:
        fail(f"{rendered} of {figures} charts drawn (plotly.js missing?)")
    print(f"check_report: ok: {report}: {figures} charts drawn, no console errors; screenshot {screenshot}")


if __name__ == "__main__":
    main()

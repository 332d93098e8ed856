#!/usr/bin/env python3
"""Drives the gopfarm web dashboard in headless Chromium, as a producer and as ops would.

Called by Tests/IntegrationTests/DashboardBrowserTests.swift with a running `gopfarm serve`
and one agent. Environment:
  GOPFARM_URL     the coordinator's HTTP base, e.g. http://127.0.0.1:40123
  PRODUCER_TOKEN  a producer's token (alice)
  OPS_TOKEN       an ops token
  OTHER_JOB       a job of another producer (alice must not see it)
  CLIP            a small video file to upload through the form
  AGENT           the name of the connected agent (ops drain and resume it, from the API and the page)
  SCREENSHOTS     optional: a directory for dashboard-{login,submit,job,jobs,agents}.png
Prints one line per step; exits 1 with a sentence at the first failure.
"""
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["GOPFARM_URL"].rstrip("/")
SHOTS = os.environ.get("SCREENSHOTS")
started = time.monotonic()


def step(text):
    print(f"[{time.monotonic() - started:5.1f} s] {text}", flush=True)


def fail(text):
    print(f"dashboard test failed: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run"]:
        options.add_argument(arg)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def shot(driver, name, full=True):
    if not SHOTS:
        return
    if full:
        # The window's size includes the browser's own bars: add them to the page's height.
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, 600) + window.outerHeight - window.innerHeight")
        driver.set_window_size(1280, min(height, 2400))
    driver.save_screenshot(os.path.join(SHOTS, f"dashboard-{name}.png"))
    driver.set_window_size(1280, 900)
    step(f"screenshot dashboard-{name}.png")


def api(method, path, token, body=None):
    """The JSON API with a bearer token, as the CLI uses it (what the browser is not part of)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def mark_page(driver):
    """Marks this page's window: a reload (or any navigation) loses the mark."""
    driver.execute_script("window.gopfarmNoReload = true;")


def still_marked(driver):
    return driver.execute_script("return window.gopfarmNoReload === true;")


def until(what, timeout, probe):
    """Calls probe(), which returns (ok, what it saw…), until ok; after `timeout` s fails with `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (NoSuchElementException, StaleElementReferenceException):
            last = None
        if last and last[0]:
            return last
        time.sleep(0.1)
    fail(f"{what} within {timeout} s (last seen: {last[1:] if last else None!r})")


def log_in(driver, wait, token):
    driver.get(BASE + "/login")
    field = wait.until(EC.presence_of_element_located((By.ID, "token")))
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait.until(EC.url_to_be(BASE + "/"))


def log_out(driver, wait):
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait.until(EC.url_to_be(BASE + "/login"))


def main():
    driver = browser()
    wait = WebDriverWait(driver, 20)
    try:
        # Log in as a producer, with the keyboard only.
        driver.get(BASE + "/")
        if not driver.current_url.endswith("/login"):
            fail(f"an anonymous visit went to {driver.current_url}, not the log-in")
        shot(driver, "login", full=False)
        wrong = driver.find_element(By.ID, "token")
        wrong.send_keys("gf_wrong\n")
        alert = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
        if "does not know this token" not in alert.text:
            fail(f"a wrong token said: {alert.text!r}")
        log_in(driver, wait, os.environ["PRODUCER_TOKEN"])
        step("logged in as the producer")

        # Keyboard: the first Tab reaches the skip link, Enter on it moves focus to the content,
        # and the section links are reachable and followed with Tab and Enter.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        first = driver.switch_to.active_element
        if "Skip to content" not in first.text:
            fail(f"the first Tab reached {first.tag_name} {first.text!r}, not the skip link")
        first.send_keys(Keys.ENTER)
        if driver.switch_to.active_element.get_attribute("id") != "main":
            fail("Enter on the skip link did not move focus to the content")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        for _ in range(12):
            active = driver.switch_to.active_element
            if active.get_attribute("href") and active.get_attribute("href").endswith("/submit"):
                break
            active.send_keys(Keys.TAB)
        else:
            fail("Tab never reached the Submit link")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(EC.url_to_be(BASE + "/submit"))
        step("keyboard: skip link, then Tab and Enter to Submit")

        # Submit an upload through the form; the bar's highest value is kept across the page change.
        driver.get(BASE + "/submit")
        wait.until(EC.presence_of_element_located((By.ID, "submit-form")))
        if driver.find_element(By.ID, "path-field").is_displayed():
            fail("the path field shows while 'Upload a file' is chosen")
        # Submit without a file: the form says so where it can be seen (the status line's box
        # was hidden, so the click seemed to do nothing).
        driver.find_element(By.ID, "submit-button").click()
        until("the 'choose a file' message to show", 5, lambda: (
            driver.find_element(By.ID, "upload-status").is_displayed()
            and "Choose a file to upload first" in driver.find_element(By.ID, "upload-status").text,
            driver.find_element(By.ID, "upload-status").text))
        step("submitting without a file says to choose one")
        driver.find_element(By.ID, "file").send_keys(os.environ["CLIP"])
        # The encoding fields offer only what the chosen codec takes (x264's presets were
        # offered for VP9, which refused them; CRF 23 was filled in for lossless FFV1).
        def offered():
            preset, crf = driver.find_element(By.ID, "preset"), driver.find_element(By.ID, "crf")
            names = [o.get_attribute("value") for o in Select(preset).options]
            return names, preset.is_enabled(), crf.is_enabled(), crf.get_attribute("max")
        Select(driver.find_element(By.ID, "codec")).select_by_value("libvpx-vp9")
        names, preset_on, crf_on, crf_max = offered()
        if names != ["", "realtime", "good", "best"] or not preset_on or not crf_on or crf_max != "63":
            fail(f"for libvpx-vp9 the form offers presets {names} (enabled {preset_on}), crf enabled {crf_on} up to {crf_max}")
        Select(driver.find_element(By.ID, "codec")).select_by_value("ffv1")
        names, preset_on, crf_on, _ = offered()
        if names != [""] or crf_on:
            fail(f"for ffv1 the form offers presets {names}, crf enabled {crf_on}")
        Select(driver.find_element(By.ID, "codec")).select_by_value("libx264")
        names, _, crf_on, crf_max = offered()
        if "ultrafast" not in names or not crf_on or crf_max != "51":
            fail(f"for libx264 the form offers presets {names}, crf enabled {crf_on} up to {crf_max}")
        step("the encoding fields follow the codec (presets, CRF range, none for FFV1)")
        Select(driver.find_element(By.ID, "preset")).select_by_value("ultrafast")
        crf = driver.find_element(By.ID, "crf")
        crf.clear()
        crf.send_keys("26")
        driver.find_element(By.ID, "output-name").send_keys("from-the-browser.mp4")
        shot(driver, "submit", full=False)
        driver.execute_script("""
            sessionStorage.setItem('uploadMax', '0');
            var p = document.getElementById('upload-progress');
            new MutationObserver(function () {
              sessionStorage.setItem('uploadMax', String(Math.max(Number(sessionStorage.getItem('uploadMax')), p.value)));
            }).observe(p, {attributes: true});
            var set = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value').set;
            Object.defineProperty(p, 'value', {set: function (v) {
              set.call(this, v);
              sessionStorage.setItem('uploadMax', String(Math.max(Number(sessionStorage.getItem('uploadMax')), v)));
            }, get: function () { return Number(this.getAttribute('value')); }});
        """)
        driver.find_element(By.ID, "submit-button").click()
        wait.until(EC.url_contains("/jobs/"))
        job = driver.current_url.rsplit("/", 1)[1]
        uploaded = float(driver.execute_script("return sessionStorage.getItem('uploadMax')") or 0)
        if uploaded < 100:
            fail(f"the upload progress bar stopped at {uploaded}%")
        step(f"uploaded (progress bar reached {uploaded:.0f}%) and submitted job {job}")

        # Watch the job's progress bar reach done, live over its event stream.
        seen = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                state = driver.find_element(By.ID, "job-state").text.strip().lower()
                value = float(driver.find_element(By.ID, "job-progress").get_attribute("value") or 0)
            except Exception:
                time.sleep(0.1)
                continue
            seen.add(state)
            if state == "done" and value >= 100:
                break
            if state in ("failed", "cancelled"):
                fail(f"job {job} ended {state}")
            time.sleep(0.1)
        else:
            fail(f"job {job} did not reach done in 60 s (states seen: {sorted(seen)})")
        wait.until(EC.presence_of_element_located((By.ID, "report-link")))
        if not driver.find_elements(By.CSS_SELECTOR, ".chart svg"):
            fail("the finished job's page has no segment timeline")
        step(f"the progress bar reached done (states seen: {', '.join(sorted(seen))})")
        shot(driver, "job")

        # Open the analysis report.
        driver.find_element(By.ID, "report-link").click()
        wait.until(EC.url_to_be(f"{BASE}/jobs/{job}/report"))
        body = driver.find_element(By.TAG_NAME, "body").text
        if "from-the-browser.mp4" not in body or "PSNR" not in body:
            fail(f"the report does not look like one: {body[:200]!r}")
        # Under its Content-Security-Policy the report's inline style and data: images still apply.
        looks = driver.execute_script(
            "const imgs = [...document.images];"
            "return {width: getComputedStyle(document.body).maxWidth,"
            " images: imgs.length, drawn: imgs.filter(i => i.complete && i.naturalWidth > 0).length};")
        if looks["width"] != "1180px" or looks["images"] != looks["drawn"]:
            fail(f"the report's style or images did not load under its policy: {looks}")
        step(f"opened the analysis report (styled, {looks['drawn']} images drawn)")

        # Another producer's job does not exist for this one.
        driver.get(f"{BASE}/jobs/{os.environ['OTHER_JOB']}")
        text = driver.find_element(By.TAG_NAME, "main").text
        if "404" not in text or "no job" not in text:
            fail(f"another producer's job page showed: {text[:200]!r}")
        driver.get(BASE + "/")
        if os.environ["OTHER_JOB"] in driver.page_source:
            fail("the jobs list shows another producer's job")
        step("another producer's job is a 404 and not in the list")

        # Agents are ops' business, as in the API: no link, and the page is refused.
        if driver.find_elements(By.CSS_SELECTOR, "a[href='/agents']"):
            fail("a producer's page links to the agents page")
        driver.get(BASE + "/agents")
        text = driver.find_element(By.TAG_NAME, "main").text
        if "403" not in text or "ops role" not in text or os.environ["AGENT"] in driver.page_source:
            fail(f"a producer's agents page showed: {text[:200]!r}")
        step("a producer has no agents link and the agents page is a 403")

        # The jobs list follows a running job to done without a reload: with the agent drained
        # the job waits, so the list draws it unfinished; resumed, it runs and finishes.
        agent = os.environ["AGENT"]
        api("POST", f"/v1/agents/{agent}/drain", os.environ["OPS_TOKEN"])
        until(f"{agent} was not draining", 10, lambda: (any(
            a["name"] == agent and a["state"] == "draining" for a in api("GET", "/v1/agents", os.environ["OPS_TOKEN"])), None))
        waiting = api("POST", "/v1/jobs", os.environ["PRODUCER_TOKEN"], {
            "input": os.environ["CLIP"], "outputName": "watched-in-the-list.mp4",
            "settings": {"codec": "libx264", "preset": "ultrafast"}})["id"]
        driver.get(BASE + "/")
        row = f"tr[data-job='{waiting}']"
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, row)))
        first = driver.find_element(By.CSS_SELECTOR, f"{row} [data-field=state]").text.strip().lower()
        if first in ("done", "failed", "cancelled") or not driver.find_elements(By.CSS_SELECTOR, f"{row}[data-live]"):
            fail(f"the list drew job {waiting} {first}, not unfinished, while its agent was drained")
        mark_page(driver)
        api("POST", f"/v1/agents/{agent}/resume", os.environ["OPS_TOKEN"])
        listed = set()

        def row_done():
            state = driver.find_element(By.CSS_SELECTOR, f"{row} [data-field=state]").text.strip().lower()
            value = float(driver.find_element(By.CSS_SELECTOR, f"{row} [data-field=progress]").get_attribute("value") or 0)
            percent = driver.find_element(By.CSS_SELECTOR, f"{row} [data-field=percent]").text.strip()
            listed.add(state)
            if state in ("failed", "cancelled"):
                fail(f"job {waiting} ended {state}")
            return (state == "done" and value >= 100 and percent == "100%", state, value, percent)

        until(f"the list's row of job {waiting} did not reach done and 100% without a reload", 60, row_done)
        if not still_marked(driver):
            fail("the jobs list reloaded instead of updating its row")
        if driver.find_elements(By.CSS_SELECTOR, f"{row}[data-live]"):
            fail("a finished row is still marked live")
        step(f"the list's row reached done, 100% without a reload (states seen: {', '.join(sorted(listed))})")
        log_out(driver, wait)
        step("logged out")

        # The agents page follows the agent without a reload: its connected time goes on, and a
        # drain and a resume made elsewhere (the API) reach its row and its button.
        log_in(driver, wait, os.environ["OPS_TOKEN"])
        driver.get(BASE + "/agents")
        cell = f"tr[data-agent='{agent}']"
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, cell)))
        if not driver.find_elements(By.CSS_SELECTOR, "a[href='/agents'][aria-current=page]"):
            fail("ops have no current Agents link on the agents page")
        mark_page(driver)
        # The cells as a reader finds them, by their column's heading.
        headings = [th.get_attribute("textContent").strip() for th in driver.find_elements(By.CSS_SELECTOR, "#agents thead th")]
        column = f"{cell} td:nth-child({headings.index('Connected') + 1})"
        connected = driver.find_element(By.CSS_SELECTOR, column).text
        until("the agent's connected time did not change on the page", 15, lambda: (
            driver.find_element(By.CSS_SELECTOR, column).text != connected, driver.find_element(By.CSS_SELECTOR, column).text))

        def agent_shows(states, verb):
            badge = driver.find_element(By.CSS_SELECTOR, f"{cell} .badge").text.strip().lower()
            button = driver.find_element(By.CSS_SELECTOR, f"{cell} button[type=submit]").text.strip()
            return (badge in states and button == verb, badge, button)

        api("POST", f"/v1/agents/{agent}/drain", os.environ["OPS_TOKEN"])
        until(f"the page did not show {agent} draining", 15, lambda: agent_shows(["draining"], "Resume"))
        api("POST", f"/v1/agents/{agent}/resume", os.environ["OPS_TOKEN"])
        until(f"the page did not show {agent} taking work again", 15, lambda: agent_shows(["idle", "working"], "Drain"))
        if not still_marked(driver):
            fail("the agents page reloaded instead of updating its row")
        step(f"the agents page followed {agent} live (connected time, drained, resumed) without a reload")

        # Ops drain the agent from the agents page, on a phone's width: the table scrolls
        # sideways to its button (its card clipped it), the throughput chart opens at now.
        shot(driver, "agents")
        driver.set_window_size(375, 800)
        driver.get(BASE + "/agents")
        row = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, cell)))
        chart = driver.execute_script(
            "const c = document.querySelector('[data-scroll-end]');"
            "return c ? [c.scrollLeft, c.scrollWidth - c.clientWidth] : null;")
        if not chart or chart[1] <= 0 or chart[0] < chart[1] - 1:
            fail(f"at 375 px the throughput chart is scrolled to {chart} (left, most), not to now")
        button = row.find_element(By.CSS_SELECTOR, "button[type=submit]")
        # A reader scrolls only what is scrollable (a script could scroll a clipped card too).
        clipped = driver.execute_script(
            "const c = arguments[0].closest('.card'), o = getComputedStyle(c).overflowX;"
            "return c.scrollWidth > c.clientWidth && !['auto', 'scroll'].includes(o) ? o : null;", button)
        if clipped:
            fail(f"at 375 px the agents table is wider than its card, which does not scroll (overflow-x {clipped})")
        driver.execute_script("arguments[0].scrollIntoView({inline: 'center'})", button)
        seen = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(), e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
            "return e === arguments[0] || arguments[0].contains(e);", button)
        if not seen:
            fail("at 375 px the agent's Drain button cannot be brought into view")
        button.click()
        driver.set_window_size(1280, 900)
        # The form's POST answers with the agents page again: wait for that page, then read it.
        wait.until(EC.url_contains("/agents?drained="))
        badge = WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: d.find_element(By.CSS_SELECTOR, f"tr[data-agent='{agent}'] .badge").text.lower())
        if "draining" not in badge:
            fail(f"the drained agent's badge says {badge!r}")
        button = driver.find_element(By.CSS_SELECTOR, f"tr[data-agent='{agent}'] button[type=submit]")
        if button.text.strip() != "Resume":
            fail(f"a drained agent offers {button.text!r}, not Resume")
        step(f"ops drained {agent} from the page")

        # With the only agent draining, a new job waits to be planned: its page says so under
        # the bar, as the server renders it and as the page's script writes it from the job's
        # event stream (whose first view arrives as soon as the page connects).
        waiting = api("POST", "/v1/jobs", os.environ["OPS_TOKEN"],
                      {"input": os.environ["CLIP"], "outputName": "waits.mp4", "settings": {"codec": "libx264", "preset": "ultrafast"}})["id"]
        driver.get(f"{BASE}/jobs/{waiting}")
        until("the waiting job's page did not say it waits for an agent", 30, lambda: (
            driver.find_element(By.ID, "job-progress-text").text == "Waiting for an agent that takes work"
            and driver.execute_script("return document.querySelector('#job-progress[data-live]') !== null"),
            driver.find_element(By.ID, "job-progress-text").text))
        time.sleep(1)  # the stream's first view has been written by now
        text = driver.find_element(By.ID, "job-progress-text").text
        if text != "Waiting for an agent that takes work":
            fail(f"the page's script wrote {text!r} for a job waiting for an agent")
        api("DELETE", f"/v1/jobs/{waiting}", os.environ["OPS_TOKEN"])
        step(f"a job with no agent to plan for says so on its page ({waiting}, cancelled)")
        driver.get(BASE + "/")
        wait.until(EC.presence_of_element_located((By.ID, "jobs")))
        shot(driver, "jobs")
        step(f"done in {time.monotonic() - started:.1f} s")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

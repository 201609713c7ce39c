"""The mixed scenario of benchmarks/bench_throughput.py: simulated people using the site together.

Started by bench_throughput.py with BENCH_MIXED_CONFIG naming a JSON file: the signed-in session
of each simulated employee, the manager's session, the café and report to use, and where to write
the outcome. Each employee browses the learning board and opens reflections from it, writes and
submits reflections, signs up for this week's circles and RSVPs to the café, with a person's
pauses between steps; a few managers read the impact report. At the end each simulated person
finishes what they were doing (bench_throughput.py gives locust a long --stop-timeout), so a submit
the server saved is never one locust stopped waiting for. Forms are filled from the pages as
a browser would (CSRF token, field names), so a change to a form shows up here as a failure.

The outcome counts what the benchmark checks: requests, server errors (5xx, or no answer at all)
and the successful submits, sign-ups and RSVPs, to compare with the rows in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["BENCH_MIXED_CONFIG"]).read())  # noqa: SIM115 -- read once at start
SESSIONS = itertools.cycle(CONFIG["sessions"])
OUTCOME = {"requests": 0, "failures": 0, "server_errors": 0, "submits_ok": 0, "signups_ok": 0, "rsvps_ok": 0}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER = re.compile(r'name="(answer_\d+)"')
TEMPLATE_LINK = re.compile(r'href="[^"]*\?template=(\d+)"')
BOARD_REFLECTION = re.compile(r'href="/reflections/(\d+)/"')
ROUND = re.compile(r'name="round" value="(\d+)"')
TOPIC = re.compile(r'<select name="first_choice"[^>]*>(.*?)</select>', re.DOTALL)
OPTION = re.compile(r'<option value="(\d+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" id="reflection-form"')
HIDDEN = re.compile(r'<input type="hidden" name="(template|kind|context|start_key)" value="([^"]*)"')


@events.request.add_listener
def _count(response=None, exception=None, **kwargs):
    OUTCOME["requests"] += 1
    if exception is not None:
        OUTCOME["failures"] += 1
    status = getattr(response, "status_code", 0)
    if status == 0 or status >= 500:
        OUTCOME["server_errors"] += 1


@events.quitting.add_listener
def _write_outcome(**kwargs):
    with open(CONFIG["outcome"], "w") as handle:
        json.dump(OUTCOME, handle)


def _token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class Employee(HttpUser):
    weight = 20
    wait_time = between(1, 4)

    def on_start(self):
        self.client.cookies.set("sessionid", next(SESSIONS))

    def _post(self, url: str, data: dict, referer: str, name: str):
        return self.client.post(url, data=data, headers={"Referer": referer}, allow_redirects=False, name=name)

    @task(6)
    def browse_board(self):
        board = self.client.get("/reflections/board/", name="board")
        ids = BOARD_REFLECTION.findall(board.text)
        if ids:
            self.client.get(f"/reflections/{random.choice(ids)}/", name="reflection")

    @task(2)
    def write_and_submit(self):
        choose = self.client.get("/reflections/write/", name="write: choose")
        templates = TEMPLATE_LINK.findall(choose.text)
        if not templates:
            return
        edit = self.client.get(f"/reflections/write/?template={templates[0]}", name="write: start")
        action = FORM_ACTION.search(edit.text)
        if action is None:
            return
        # The writing page is not saved until its form is posted: the start fields (template, kind,
        # start key) travel with it, so the first post creates the draft and submits it.
        data = {
            **dict(HIDDEN.findall(edit.text)),
            "csrfmiddlewaretoken": _token(edit.text),
            "title": "What I will try next week",
            "key_takeaway": "Ask before assuming",
            "visibility": "colleagues",
            "action": "submit",
        }
        for name in ANSWER.findall(edit.text):
            data[name] = "I asked my team what they needed before deciding, and the meeting was shorter."
        response = self._post(action.group(1), data, edit.url, "write: submit")
        if response.status_code == 302 and "/edit/" not in response.headers.get("Location", ""):
            OUTCOME["submits_ok"] += 1

    @task(1)
    def sign_up_for_circles(self):
        page = self.client.get("/circles/sign-up/", name="circles: sign-up page")
        round_id, select = ROUND.search(page.text), TOPIC.search(page.text)
        if not round_id or not select:
            return
        topics = OPTION.findall(select.group(1))
        data = {"csrfmiddlewaretoken": _token(page.text), "round": round_id.group(1)}
        if topics:
            data["first_choice"] = random.choice(topics)
        response = self._post("/circles/sign-up/", data, page.url, "circles: sign up")
        if response.status_code == 302:
            OUTCOME["signups_ok"] += 1

    @task(1)
    def rsvp(self):
        cafe = f"/cafes/{CONFIG['cafe_id']}/"
        page = self.client.get(cafe, name="café")
        response = self._post(
            f"{cafe}rsvp/", {"csrfmiddlewaretoken": _token(page.text), "action": "going"}, page.url, "café: rsvp"
        )
        if response.status_code == 302:
            OUTCOME["rsvps_ok"] += 1


class Manager(HttpUser):
    weight = 1
    wait_time = between(2, 6)

    def on_start(self):
        self.client.cookies.set("sessionid", CONFIG["manager_session"])

    @task
    def read_report(self):
        self.client.get(CONFIG["report_url"], name="impact report")

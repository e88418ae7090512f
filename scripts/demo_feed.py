#!/usr/bin/env python3
"""Live traffic for `make demo`: calls arrive, the first recommended unit is sent, drives there
(its position reported as it goes), works the incident, and the incident is cleared and closed;
free units drift about their area. Every call is created through the public API, as a console
would, and is labelled as simulated in its description.

With --incidents FILE (the DC crime CSV) the calls are the file's real places and offenses in
time order, replayed now; without it (the Chengdu demo) they are made up, in Chinese, and say so.

  scripts/demo_feed.py --url http://127.0.0.1:8080 --token T --bbox S,W,N,E [--incidents CSV]
                       [--every 8] [--lang zh]
Standard library only.
"""
import argparse
import csv
import json
import math
import random
import sys
import threading
import time
import urllib.error
import urllib.request

DC_CATEGORIES = {
    "THEFT/OTHER": "theft", "THEFT F/AUTO": "theft", "MOTOR VEHICLE THEFT": "vehicle_theft",
    "ROBBERY": "robbery", "ASSAULT W/DANGEROUS WEAPON": "assault", "BURGLARY": "burglary",
    "HOMICIDE": "homicide", "SEX ABUSE": "sexual_assault", "ARSON": "arson",
}

# Made-up calls for the Chinese demo: (what the caller says, category or None for triage).
ZH_CALLS = [
    ("有人在商场门口抢包，往东跑了", None),
    ("两车追尾，路口堵住了，没有人受伤", None),
    ("邻居家里传出打斗声，有人喊救命", None),
    ("电动车在小区楼下被偷了", None),
    ("餐馆厨房起火，冒黑烟", None),
    ("老人在公园晕倒了，需要救护车", None),
    ("楼上装修噪音扰民，每天半夜", None),
    ("路灯坏了一整条街都是黑的", None),
    ("有人在地铁站口发生纠纷，推搡", None),
    ("孩子走失了，穿红色外套，五岁", "assistance"),
]


class Api:
    def __init__(self, url, token):
        self.url, self.token = url.rstrip("/"), token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                text = r.read()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            return e.code, None
        except (urllib.error.URLError, OSError):
            return 0, None


def dc_calls(path, bbox):
    s, w, n, e = bbox
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            try:
                lat, lon = float(r["LATITUDE"]), float(r["LONGITUDE"])
            except (KeyError, ValueError):
                continue
            if s <= lat <= n and w <= lon <= e and r.get("OFFENSE") in DC_CATEGORIES:
                rows.append((r["REPORT_DAT"], lat, lon, r["OFFENSE"], r.get("BLOCK", "")))
    rows.sort()
    while True:
        for _, lat, lon, offense, block in rows:
            yield {"lat": lat, "lon": lon, "category": DC_CATEGORIES[offense],
                   "address": block.title(),
                   "description": f"[SIMULATED from DC open data] {offense.lower()} at {block.title()}"}


def zh_calls(bbox, rng):
    s, w, n, e = bbox
    while True:
        text, category = rng.choice(ZH_CALLS)
        call = {"lat": rng.uniform(s, n), "lon": rng.uniform(w, e),
                "description": "【模拟演示】" + text}
        if category:
            call["category"] = category
        yield call


def drive(api, unit_id, start, goal, seconds, steps=6):
    """Reports positions along the straight line (the console draws the unit moving)."""
    for k in range(1, steps + 1):
        f = k / steps
        lat = start[0] + (goal[0] - start[0]) * f
        lon = start[1] + (goal[1] - start[1]) * f
        heading = math.degrees(math.atan2((goal[1] - start[1]) * math.cos(math.radians(lat)),
                                          goal[0] - start[0])) % 360
        api.call("POST", f"/api/v1/units/{unit_id}/position",
                 {"lat": lat, "lon": lon, "heading": round(heading), "speed": 12})
        time.sleep(seconds / steps)


def work(api, incident, unit, rng):
    inc_id, unit_id = incident["id"], unit["unit_id"]
    time.sleep(rng.uniform(4, 12))  # the dispatcher reads the call and the list first
    if api.call("POST", f"/api/v1/incidents/{inc_id}/dispatch", {"unit_id": unit_id})[0] != 201:
        return
    time.sleep(rng.uniform(3, 8))
    api.call("POST", f"/api/v1/units/{unit_id}/status", {"status": "en_route"})
    status, u = api.call("GET", f"/api/v1/units/{unit_id}")
    start = (u["position"]["lat"], u["position"]["lon"]) if status == 200 and u.get("position") \
        else (incident["lat"], incident["lon"])
    drive(api, unit_id, start, (incident["lat"], incident["lon"]),
          min(60, max(10, unit.get("eta_s") or 30)))
    api.call("POST", f"/api/v1/units/{unit_id}/status", {"status": "on_scene"})
    time.sleep(rng.uniform(30, 90))
    api.call("POST", f"/api/v1/incidents/{inc_id}/status", {"status": "cleared"})
    api.call("POST", f"/api/v1/incidents/{inc_id}/status",
             {"status": "closed", "disposition": "simulated: handled"})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--bbox", required=True, help="south,west,north,east")
    p.add_argument("--incidents")
    p.add_argument("--every", type=float, default=8.0, help="seconds between calls")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    bbox = [float(v) for v in a.bbox.split(",")]
    rng = random.Random(a.seed)
    api = Api(a.url, a.token)
    calls = dc_calls(a.incidents, bbox) if a.incidents else zh_calls(bbox, rng)
    while True:
        status, created = api.call("POST", "/api/v1/incidents", next(calls))
        if status == 0:
            return  # the server is gone: the demo stopped
        if status == 201 and created.get("recommendations"):
            threading.Thread(target=work, args=(api, created, created["recommendations"][0], rng),
                             daemon=True).start()
        time.sleep(a.every)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Live traffic for `make demo`: calls arrive, the first recommended unit is sent, drives there
(its position reported as it goes), works the incident, and the incident is cleared and closed.
Patrol cars on a patrol shift (serve --patrol) drive their suggested tour while free: to the
first point still owed, along the tour's road path when the server gives one, and stay there
min_dwell_s so that the server detects the visit. Every call is created through the public API,
as a console would, and is labelled as simulated in its description.

With --incidents FILE (the DC crime CSV) the calls are the file's real places and offenses in
time order, replayed now; without it (the Chengdu demo) they are made up, in Chinese, and say so.

  scripts/demo_feed.py --url http://127.0.0.1:8080 --token T --bbox S,W,N,E [--incidents CSV]
                       [--every 8] [--lang zh]
Standard library only.
"""
import argparse
import csv
from datetime import datetime
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


# Units the feed has sent to an incident: their patrol pauses until they are free again.
DISPATCHED = set()
DISPATCHED_LOCK = threading.Lock()


# Units on a patrol shift: the simulated dispatcher sends another unit when one is recommended.
PATROLLING = set()


def dispatched(unit_id):
    with DISPATCHED_LOCK:
        return unit_id in DISPATCHED


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
    with DISPATCHED_LOCK:
        DISPATCHED.add(unit_id)
    try:
        if api.call("POST", f"/api/v1/incidents/{inc_id}/dispatch", {"unit_id": unit_id})[0] == 201:
            respond(api, incident, unit, rng)
    finally:
        with DISPATCHED_LOCK:
            DISPATCHED.discard(unit_id)


def respond(api, incident, unit, rng):
    inc_id, unit_id = incident["id"], unit["unit_id"]
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


# ---- patrols ----
PATROL_SPEED_MPS = 14.0  # about 50 km/h; the shift report counts steps under 200 km/h only
PATROL_FIX_S = 2.0       # a position every 2 s while driving
DWELL_FIX_S = 10.0       # and every 10 s while at a point


def metres(a, b):
    """Equirectangular distance between (lat, lon) pairs; plenty for a few kilometres."""
    k = math.pi / 180
    x = (b[1] - a[1]) * k * math.cos((a[0] + b[0]) / 2 * k)
    y = (b[0] - a[0]) * k
    return 6371008.8 * math.hypot(x, y)


def seconds_until(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() - time.time()


def route_to_first_stop(tour):
    """(lat, lon) points from the unit to the tour's first stop: the road path up to where it
    reaches the stop when the server gives one, else the straight line."""
    stop = tour["stops"][0]
    goal = (stop["lat"], stop["lon"])
    path = [(lat, lon) for lon, lat in tour.get("path") or []]
    if len(path) < 2:
        return [(tour["from"]["lat"], tour["from"]["lon"]), goal]
    near = [i for i, p in enumerate(path) if metres(p, goal) <= 25]
    end = near[0] if near else min(range(len(path)), key=lambda i: metres(path[i], goal))
    return path[:end + 1] + [goal]


def follow(api, unit_id, route):
    """Reports positions along the route at PATROL_SPEED_MPS in real time; False when the unit
    was sent to an incident meanwhile (the patrol gives way)."""
    for a, b in zip(route, route[1:]):
        length = metres(a, b)
        steps = max(1, math.ceil(length / (PATROL_SPEED_MPS * PATROL_FIX_S)))
        heading = math.degrees(math.atan2((b[1] - a[1]) * math.cos(math.radians(a[0])), b[0] - a[0])) % 360
        for k in range(1, steps + 1):
            if dispatched(unit_id):
                return False
            f = k / steps
            api.call("POST", f"/api/v1/units/{unit_id}/position",
                     {"lat": a[0] + (b[0] - a[0]) * f, "lon": a[1] + (b[1] - a[1]) * f,
                      "heading": round(heading), "speed": PATROL_SPEED_MPS})
            time.sleep(length / steps / PATROL_SPEED_MPS)
    return True


def dwell(api, unit_id, at, seconds, rng):
    """Stays at a point, reporting a fix every DWELL_FIX_S with a few metres of GPS jitter."""
    until = time.time() + seconds
    while time.time() < until:
        if dispatched(unit_id):
            return False
        j = 5 / 111_000
        api.call("POST", f"/api/v1/units/{unit_id}/position",
                 {"lat": at[0] + rng.uniform(-j, j), "lon": at[1] + rng.uniform(-j, j), "speed": 0})
        time.sleep(min(DWELL_FIX_S, max(0.0, until - time.time())))
    return True


def patrol_unit(api, shift_id, unit_id, dwell_s, rng):
    """One patrol car's shift: ask for the tour from where it is, drive to the first stop, stay
    its min_dwell_s (plus a margin), and again, while the shift lasts."""
    while True:
        if dispatched(unit_id):
            time.sleep(10)
            continue
        status, unit = api.call("GET", f"/api/v1/units/{unit_id}")
        if status == 0:
            return
        if status != 200 or unit.get("status") != "available" or not unit.get("position"):
            time.sleep(10)  # busy with an incident (perhaps sent from the console)
            continue
        status, tour = api.call("GET", f"/api/v1/patrol/shifts/{shift_id}/tour")
        if status in (0, 404):
            return
        if status != 200 or not tour["stops"]:
            time.sleep(30)  # nothing owed in an open window: wait for the next
            continue
        stop = tour["stops"][0]
        if seconds_until(stop["start"]) > 10 * 60:
            time.sleep(60)  # the first window opens later: stay put for now
            continue
        if not follow(api, unit_id, route_to_first_stop(tour)):
            continue
        wait = max(0.0, seconds_until(stop["start"]))  # early: the window is not open yet
        if not dwell(api, unit_id, (stop["lat"], stop["lon"]), wait + dwell_s.get(stop["point_id"], 60) + 15, rng):
            continue
        time.sleep(rng.uniform(5, 20))  # a word with the shopkeeper before driving on


def patrols(api, rng):
    """Starts a patrol for every shift on duty, and for shifts assigned later (checked every
    30 s). Returns when the server has no patrol plan or is gone."""
    status, plan = api.call("GET", "/api/v1/patrol/plan")
    if status != 200:
        return
    dwell_s = {p["id"]: p["min_dwell_s"] for p in plan["points"]}
    running = {}
    while True:
        status, live = api.call("GET", "/api/v1/patrol/status")
        if status == 0:
            return
        for shift in (live or {}).get("shifts", []) if status == 200 else []:
            t = running.get(shift["shift_id"])
            PATROLLING.add(shift["unit_id"])
            if t is None or not t.is_alive():
                t = threading.Thread(target=patrol_unit, daemon=True,
                                     args=(api, shift["shift_id"], shift["unit_id"], dwell_s,
                                           random.Random(rng.random())))
                t.start()
                running[shift["shift_id"]] = t
        time.sleep(30)


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
    # The cars on patrol are known before the first call, so none is sent away at once.
    status, shifts = api.call("GET", "/api/v1/patrol/shifts")
    if status == 200:
        PATROLLING.update(s["unit_id"] for s in shifts["items"])
    threading.Thread(target=patrols, args=(api, random.Random(a.seed + 1)), daemon=True).start()
    while True:
        status, created = api.call("POST", "/api/v1/incidents", next(calls))
        if status == 0:
            return  # the server is gone: the demo stopped
        recs = created.get("recommendations") if status == 201 else None
        if recs:
            # Patrol cars stay on their rounds when another unit is recommended.
            unit = next((r for r in recs if r["unit_id"] not in PATROLLING), recs[0])
            threading.Thread(target=work, args=(api, created, unit, rng), daemon=True).start()
        time.sleep(a.every)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Peers of bench_analytics, timed in the same run (Debian python3-pandas, python3-numpy,
python3-sklearn, python3-pulp + coinor-cbc). Each sub-command prints one JSON object.

  peers.py pandas  CSV                 read_csv + year-over-year table by category x district
  peers.py sklearn CSV N_POINTS N_CELLS BANDWIDTH_M   KernelDensity fit + score on a grid
  peers.py numpy_gi COUNTS.txt NX NY PERMS   Gi* z and permutations (plain and conditional)
  peers.py cbc INSTANCE.json TIME_LIMIT_S    exact maximal covering with CBC through PuLP
"""
import json
import math
import sys
import time


def pandas_peer(csv_path):
    import pandas as pd
    t0 = time.perf_counter()
    df = pd.read_csv(csv_path, dtype={"category": "category", "jurisdiction": "category"})
    df["year"] = pd.to_datetime(df.received_at, unit="ms", utc=True).dt.year
    t1 = time.perf_counter()
    times = []
    for _ in range(5):
        g0 = time.perf_counter()
        counts = df.groupby(["category", "jurisdiction", "year"], observed=True).size() \
            .unstack("year", fill_value=0)
        table = pd.DataFrame({"current": counts[2024], "previous": counts[2023]})
        table["change"] = table.current - table.previous
        table["change_pct"] = 100.0 * table.change / table.previous.where(table.previous > 0)
        times.append(time.perf_counter() - g0)
    times.sort()
    return {"rows": len(df), "read_s": t1 - t0, "groupby_s": times[len(times) // 2],
            "cells": len(table), "current": int(table.current.sum())}


def sklearn_peer(csv_path, n_points, n_cells, bandwidth_m):
    import numpy as np
    import pandas as pd
    from sklearn.neighbors import KernelDensity
    df = pd.read_csv(csv_path, usecols=["lat", "lon"], nrows=n_points)
    lat0, lon0 = df.lat.mean(), df.lon.mean()
    r = 6371008.8 * math.pi / 180
    xy = np.column_stack(((df.lon - lon0) * r * math.cos(lat0 * math.pi / 180),
                          (df.lat - lat0) * r))
    side = int(round(math.sqrt(n_cells)))
    gx = np.linspace(xy[:, 0].min(), xy[:, 0].max(), side)
    gy = np.linspace(xy[:, 1].min(), xy[:, 1].max(), side)
    grid = np.array([(x, y) for y in gy for x in gx])
    t0 = time.perf_counter()
    kde = KernelDensity(bandwidth=bandwidth_m, kernel="gaussian").fit(xy)
    kde.score_samples(grid)
    t = time.perf_counter() - t0
    # Exact KDE is points x cells kernel evaluations (the tree prunes little at this bandwidth).
    extrapolated = t * (1e6 / len(xy)) * (1e6 / len(grid))
    return {"points": len(xy), "cells": len(grid), "seconds": t,
            "extrapolated_1m_x_1m_s": extrapolated}


def numpy_gi_peer(counts_path, nx, ny, perms):
    import numpy as np
    x = np.loadtxt(counts_path).reshape(ny, nx)
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()

    def lag_of(a):
        p = np.pad(a, 1)
        s = np.zeros_like(a)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                s += p[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
        return s
    n = x.size
    w = lag_of(np.ones_like(x))
    mean = x.mean()
    s = math.sqrt((x * x).mean() - mean * mean)
    z = (lag_of(x) - mean * w) / (s * np.sqrt((n * w - w * w) / (n - 1)))
    obs = lag_of(x)
    larger = np.zeros_like(x)
    flat = x.ravel()
    for _ in range(perms):
        larger += lag_of(rng.permutation(flat).reshape(ny, nx)) >= obs
    t_plain = time.perf_counter() - t0
    # Conditional permutations as PySAL's crand: one table of k random other cells per
    # permutation, shared by all cells (indices above the cell shift by one).
    t1 = time.perf_counter()
    k = 8
    vals = x.ravel()
    ids = np.arange(n)
    rids = np.array([rng.permutation(n - 1)[:k] for _ in range(perms)])  # perms x k
    wk = (w.ravel() - 1).astype(int)
    lag = obs.ravel()
    count = np.zeros(n)
    chunk = 500
    for start in range(0, n, chunk):
        cells = ids[start:start + chunk]
        r = rids[None, :, :] + (rids[None, :, :] >= cells[:, None, None])  # chunk x perms x k
        take = vals[r]
        mask = np.arange(k)[None, None, :] < wk[start:start + chunk, None, None]
        sims = vals[cells][:, None] + (take * mask).sum(axis=2)
        count[start:start + chunk] = (sims >= lag[start:start + chunk, None]).sum(axis=1)
    t_cond = time.perf_counter() - t1
    return {"cells": n, "permutations": perms, "plain_s": t_plain, "conditional_s": t_cond,
            "max_z": float(z.max())}


def cbc_peer(instance_path, time_limit_s):
    import pulp
    with open(instance_path) as f:
        inst = json.load(f)
    sites, weights, p = inst["sites"], inst["weights"], inst["p"]
    covering = [[] for _ in weights]
    for s, reach in enumerate(sites):
        for d in reach:
            covering[d].append(s)
    t0 = time.perf_counter()
    m = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{s}", cat="Binary") for s in range(len(sites))]
    y = [pulp.LpVariable(f"y{d}", lowBound=0, upBound=1) for d in range(len(weights))]
    m += pulp.lpSum(w * y[d] for d, w in enumerate(weights))
    m += pulp.lpSum(x) == p
    for d, cov in enumerate(covering):
        m += y[d] <= pulp.lpSum(x[s] for s in cov)
    solver = pulp.COIN_CMD(msg=False, timeLimit=time_limit_s)
    status = m.solve(solver)
    t = time.perf_counter() - t0
    return {"status": pulp.LpStatus[status], "objective": pulp.value(m.objective), "seconds": t,
            "optimal": pulp.LpStatus[status] == "Optimal" and t < time_limit_s}


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "pandas":
        out = pandas_peer(a[0])
    elif cmd == "sklearn":
        out = sklearn_peer(a[0], int(a[1]), int(a[2]), float(a[3]))
    elif cmd == "numpy_gi":
        out = numpy_gi_peer(a[0], int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "cbc":
        out = cbc_peer(a[0], float(a[1]))
    else:
        raise SystemExit(f"unknown peer {cmd}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

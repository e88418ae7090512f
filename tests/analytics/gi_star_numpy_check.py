#!/usr/bin/env python3
"""Independent check of `pingan hotspots`: the grid counts and the Getis-Ord Gi* z-scores.

The DC incident file is imported with the pingan CLI, `pingan hotspots --json -` computes the
grid and Gi*, and this script recomputes, with numpy only:
  - the count of incidents per grid cell from the CSV itself (same local projection), and
  - the Gi* z-score of every cell from those counts (binary distance-band weights including
    the cell itself, Getis & Ord 1995),
and requires the z-scores to agree within 1e-9 (absolute) on every cell.
Exit 0: agree; 1: disagree; 77: data or numpy missing (CTest reports a skip).
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("SKIP: numpy is missing (Debian package python3-numpy)")
    sys.exit(77)

EARTH_RADIUS_M = 6371008.8  # src/geo/latlon.hpp kEarthRadiusM
DEG = math.pi / 180.0


def gi_star_z(counts, radius_cells):
    """Gi* z-scores of a 2-D array, binary weights within radius_cells (self included)."""
    ny, nx = counts.shape
    x = counts.astype(np.float64)
    n = x.size
    r = int(math.floor(radius_cells))
    padded = np.pad(x, r)
    ones = np.pad(np.ones_like(x), r)
    lag = np.zeros_like(x)
    w = np.zeros_like(x)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dx * dx + dy * dy > radius_cells * radius_cells:
                continue
            lag += padded[r + dy:r + dy + ny, r + dx:r + dx + nx]
            w += ones[r + dy:r + dy + ny, r + dx:r + dx + nx]
    mean = x.sum() / n
    s = math.sqrt((x * x).sum() / n - mean * mean)
    denom = s * np.sqrt((n * w - w * w) / (n - 1))
    z = np.zeros_like(x)
    ok = denom > 0
    z[ok] = (lag[ok] - mean * w[ok]) / denom[ok]
    return z


def counts_from_csv(path, grid, date_from, date_to):
    """Incidents per cell, from the raw DC file (geocodes inside the dc mapping's box)."""
    lat0 = grid["projection_origin"]["lat"]
    lon0 = grid["projection_origin"]["lon"]
    m_lat = EARTH_RADIUS_M * DEG
    m_lon = EARTH_RADIUS_M * DEG * math.cos(lat0 * DEG)
    nx, ny, cell = grid["nx"], grid["ny"], grid["cell_m"]
    counts = np.zeros((ny, nx))
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            day = row["REPORT_DAT"][:10].replace("/", "-")
            if not (date_from <= day <= date_to):
                continue
            lat, lon = float(row["LATITUDE"]), float(row["LONGITUDE"])
            x = (lon - lon0) * m_lon
            y = (lat - lat0) * m_lat
            fx = (x - grid["x0_m"]) / cell
            fy = (y - grid["y0_m"]) / cell
            if 0 <= fx < nx and 0 <= fy < ny:
                counts[int(fy), int(fx)] += 1
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pingan", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    dc = os.path.join(a.data, "incidents", "dc_crime_2024-01-01_2024-03-17.csv")
    if not os.path.exists(dc):
        print(f"SKIP: shared data missing: {dc}")
        sys.exit(77)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        subprocess.run([a.pingan, "import", "incidents", dc, "--format", "dc", "--db", db],
                       check=True, stdout=subprocess.DEVNULL)
        for cell, radius in [(200, 1.5), (150, 2.5), (400, 1.0)]:
            out = subprocess.run(
                [a.pingan, "hotspots", "--db", db, "--from", "2024-01-01", "--to", "2024-02-29",
                 "--cell", str(cell), "--radius-cells", str(radius), "--no-kde", "--no-knox",
                 "--permutations", "99", "--seed", "7", "--json", "-"],
                check=True, capture_output=True, text=True).stdout
            j = json.loads(out)
            g = j["grid"]
            nx, ny = g["nx"], g["ny"]
            counts = np.array(j["counts"], dtype=np.float64).reshape(ny, nx)
            own = counts_from_csv(dc, g, "2024-01-01", "2024-02-29")
            differing = int((own != counts).sum())
            if differing:
                print(f"FAIL: cell {cell} m: {differing} cells count differently from the CSV")
                return 1
            z_cpp = np.array(j["gi_star"]["z"], dtype=np.float64).reshape(ny, nx)
            z_np = gi_star_z(counts, radius)
            diff = float(np.abs(z_cpp - z_np).max())
            worst = max(worst, diff)
            p = np.array(j["gi_star"]["p_sim"])
            labels = np.array(j["gi_star"]["label"])
            assert p.min() >= 1 / 100 - 1e-12 and p.max() <= 1 + 1e-12, "p outside [1/(P+1), 1]"
            assert int((labels == 1).sum()) == j["gi_star"]["hot"]
            print(f"cell {cell} m, radius {radius}: {nx}x{ny} cells, {int(counts.sum())} "
                  f"incidents, max |z_pingan - z_numpy| = {diff:.3g}, "
                  f"{j['gi_star']['hot']} hot / {j['gi_star']['cold']} cold")
    if worst > 1e-9:
        print(f"FAIL: Gi* z-scores differ by {worst:.3g} > 1e-9")
        return 1
    print(f"OK: Gi* z-scores agree with numpy within {worst:.3g} (limit 1e-9)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

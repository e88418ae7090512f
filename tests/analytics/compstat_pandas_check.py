#!/usr/bin/env python3
"""Independent check of `pingan report compstat`: counts by category x jurisdiction, for the
report period and its comparison period, against a pandas group-by on the same CSV files.

pandas reads the original files, maps each source category to its taxonomy code with the
mapping files in config/import/ (read with tomllib, matched the same documented way: exact
value, else the longest prefix, else the default), converts the times to UTC (DC: offsets in
the data; Baltimore: America/New_York local times), keeps the period, and groups. Every
(category, jurisdiction) cell of pingan's CSV must equal pandas' count, in both periods, and
no cell may be missing on either side.
Exit 0: agree; 1: disagree; 77: data or pandas missing (CTest reports a skip).
"""
import argparse
import io
import os
import subprocess
import sys
import tempfile
import tomllib

try:
    import pandas as pd
except ImportError:
    print("SKIP: pandas is missing (Debian package python3-pandas)")
    sys.exit(77)


def mapper(mapping):
    cat = mapping["category"]
    codes = {k.strip().upper(): v for k, v in cat.get("codes", {}).items()}
    prefixes = sorted(((k.strip().upper(), v) for k, v in cat.get("prefixes", {}).items()),
                      key=lambda kv: -len(kv[0]))
    default = cat.get("default")

    def code(value):
        v = value.strip().upper()
        if v in codes:
            return codes[v]
        for p, c in prefixes:
            if v.startswith(p):
                return c
        return default
    return code


def pingan_counts(pingan, db, source, date_from, date_to, tz):
    out = subprocess.run(
        [pingan, "report", "compstat", "--db", db, "--from", date_from, "--to", date_to,
         "--tz", tz, "--compare", "previous-period", "--format", "csv", "--source", source,
         "--no-live"], check=True, capture_output=True, text=True).stdout
    t = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    t = t[(t.section == "counts") & (t.metric == "incidents") & (t.category != "*") &
          (t.jurisdiction != "*")]
    cur = {(r.category, r.jurisdiction): int(r.current) for r in t.itertuples()}
    prev = {(r.category, r.jurisdiction): int(r.previous) for r in t.itertuples()}
    return cur, prev


def compare(name, pingan_cells, pandas_cells):
    keys = set(k for k, v in pingan_cells.items() if v) | set(pandas_cells)
    bad = [(k, pingan_cells.get(k, 0), pandas_cells.get(k, 0)) for k in sorted(keys)
           if pingan_cells.get(k, 0) != pandas_cells.get(k, 0)]
    for k, a, b in bad[:10]:
        print(f"FAIL {name}: {k}: pingan {a}, pandas {b}")
    print(f"{name}: {len(keys)} cells, {sum(pandas_cells.values())} incidents, "
          f"{len(bad)} disagree")
    return not bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pingan", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    files = {
        "dc": os.path.join(a.data, "incidents", "dc_crime_2024-01-01_2024-03-17.csv"),
        "baltimore": os.path.join(a.data, "incidents",
                                  "baltimore_part1_crime_2016-06-01_2016-06-18.csv"),
    }
    for f in files.values():
        if not os.path.exists(f):
            print(f"SKIP: shared data missing: {f}")
            sys.exit(77)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        for fmt, path in files.items():
            subprocess.run([a.pingan, "import", "incidents", path, "--format", fmt, "--db", db],
                           check=True, stdout=subprocess.DEVNULL)

        # DC: February 2024 against the 29 days before it; times are UTC in the file.
        with open(os.path.join(a.source, "config", "import", "dc.toml"), "rb") as f:
            code = mapper(tomllib.load(f))
        d = pd.read_csv(files["dc"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
        d["t"] = pd.to_datetime(d.REPORT_DAT, format="%Y/%m/%d %H:%M:%S%z", utc=True)
        d["code"] = d.OFFENSE.map(code)
        start = pd.Timestamp("2024-02-01", tz="UTC")
        end = pd.Timestamp("2024-03-01", tz="UTC")
        before = start - (end - start)
        cur = d[(d.t >= start) & (d.t < end)].groupby(["code", "DISTRICT"]).size()
        prev = d[(d.t >= before) & (d.t < start)].groupby(["code", "DISTRICT"]).size()
        p_cur, p_prev = pingan_counts(a.pingan, db, "dc", "2024-02-01", "2024-02-29", "UTC")
        ok &= compare("dc current", p_cur, cur.to_dict())
        ok &= compare("dc previous", p_prev, prev.to_dict())

        # Baltimore: a week in local time (America/New_York) against the week before.
        with open(os.path.join(a.source, "config", "import", "baltimore.toml"), "rb") as f:
            code = mapper(tomllib.load(f))
        b = pd.read_csv(files["baltimore"], dtype=str, keep_default_na=False)
        b["t"] = pd.to_datetime(b.crimeDateTime_local, format="%Y-%m-%dT%H:%M:%S") \
            .dt.tz_localize("America/New_York").dt.tz_convert("UTC")
        b["code"] = b.crimeCode.map(code)
        start = pd.Timestamp("2016-06-08", tz="America/New_York").tz_convert("UTC")
        end = pd.Timestamp("2016-06-15", tz="America/New_York").tz_convert("UTC")
        before = start - (end - start)
        cur = b[(b.t >= start) & (b.t < end)].groupby(["code", "district"]).size()
        prev = b[(b.t >= before) & (b.t < start)].groupby(["code", "district"]).size()
        p_cur, p_prev = pingan_counts(a.pingan, db, "baltimore", "2016-06-08", "2016-06-14",
                                      "America/New_York")
        ok &= compare("baltimore current", p_cur, cur.to_dict())
        ok &= compare("baltimore previous", p_prev, prev.to_dict())
    print("OK: CompStat counts agree with pandas" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

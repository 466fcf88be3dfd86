"""The Python peers of benchmarks/run-tables.sh: the queries of queries.sql with Polars' lazy API or Dask DataFrame
(its local threaded scheduler with THREADS workers, pyarrow strings: pip's index here has no distributed for
Dask 2026.8, so no LocalCluster), over the same Parquet files. Each query runs once as
a warm-up, then ROUNDS times; prints VERSION and one RESULT {json} line per query (see PeerProtocol.java). The money
columns (DECIMAL(15,2) in the files) are cast to float64 on read, as a pandas or Polars user would.
Usage: tables_peers.py polars|dask DATA_DIR ROUNDS THREADS"""
import datetime as dt
import json
import os
import sys
import time

ENGINE, DATA, ROUNDS, THREADS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.environ["POLARS_MAX_THREADS"] = str(THREADS)  # read when polars is imported
MONEY = ["l_quantity", "l_extendedprice", "l_discount", "l_tax"]
CHECKS = {"q1": "sum_charge", "q6": "revenue", "groupby-100": "s", "groupby-partkey": "s", "filter-count": "n",
          "join-part": "promo_revenue"}
D = dt.date


def polars_queries():
    import polars as pl
    print("VERSION Polars " + pl.__version__ + " (lazy, POLARS_MAX_THREADS=" + str(THREADS) + ")", flush=True)
    li = pl.scan_parquet(DATA + "/lineitem/*.parquet").with_columns([pl.col(c).cast(pl.Float64) for c in MONEY])
    part = pl.scan_parquet(DATA + "/part/*.parquet")
    c = pl.col
    disc = c("l_extendedprice") * (1 - c("l_discount"))
    return {
        "q1": lambda: li.filter(c("l_shipdate") <= D(1998, 9, 2)).group_by("l_returnflag", "l_linestatus").agg(
            c("l_quantity").sum().alias("sum_qty"), c("l_extendedprice").sum().alias("sum_base_price"),
            disc.sum().alias("sum_disc_price"), (disc * (1 + c("l_tax"))).sum().alias("sum_charge"),
            c("l_quantity").mean().alias("avg_qty"), c("l_extendedprice").mean().alias("avg_price"),
            c("l_discount").mean().alias("avg_disc"), pl.len().alias("count_order"))
            .sort("l_returnflag", "l_linestatus").collect(),
        "q6": lambda: li.filter((c("l_shipdate") >= D(1994, 1, 1)) & (c("l_shipdate") < D(1995, 1, 1))
                                & c("l_discount").is_between(0.05, 0.07) & (c("l_quantity") < 24))
            .select((c("l_extendedprice") * c("l_discount")).sum().alias("revenue")).collect(),
        "groupby-100": lambda: li.group_by((c("l_suppkey") % 100).alias("k")).agg(c("l_extendedprice").sum().alias("s")).collect(),
        "groupby-partkey": lambda: li.group_by("l_partkey").agg(c("l_quantity").sum().alias("s")).collect(),
        "filter-count": lambda: li.filter((c("l_shipmode") == "AIR") & (c("l_quantity") < 10)).select(pl.len().alias("n")).collect(),
        "join-part": lambda: li.filter((c("l_shipdate") >= D(1995, 9, 1)) & (c("l_shipdate") < D(1995, 10, 1)))
            .join(part.select("p_partkey", "p_type"), left_on="l_partkey", right_on="p_partkey")
            .select((100.0 * pl.when(c("p_type").str.starts_with("PROMO")).then(disc).otherwise(0.0).sum()
                     / disc.sum()).alias("promo_revenue")).collect(),
    }, lambda r, col: (r.height, float(r[col].sum()))


def dask_queries():
    import dask
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow
    dask.config.set({"dataframe.convert-string": True, "scheduler": "threads", "num_workers": THREADS})
    print("VERSION Dask " + dask.__version__ + " (dask-expr, local threaded scheduler, " + str(THREADS)
          + " workers, pyarrow strings; pandas " + pd.__version__ + ", pyarrow " + pyarrow.__version__ + ")", flush=True)
    # pyarrow's own cast: a NumPy float64 cast of decimal128[pyarrow] (and decimal compares) go through Python objects
    li = dd.read_parquet(DATA + "/lineitem/").astype({m: "float64[pyarrow]" for m in MONEY})
    part = dd.read_parquet(DATA + "/part/", columns=["p_partkey", "p_type"])
    def ts(y, m, d):  # l_shipdate is date32[pyarrow]: compared with dates, by pyarrow
        return D(y, m, d)

    def dates(df):
        return df.l_shipdate

    def q1():
        df = li[dates(li) <= ts(1998, 9, 2)]
        df = df.assign(disc_price=df.l_extendedprice * (1 - df.l_discount))
        df = df.assign(charge=df.disc_price * (1 + df.l_tax))
        return df.groupby(["l_returnflag", "l_linestatus"]).agg(
            sum_qty=("l_quantity", "sum"), sum_base_price=("l_extendedprice", "sum"), sum_disc_price=("disc_price", "sum"),
            sum_charge=("charge", "sum"), avg_qty=("l_quantity", "mean"), avg_price=("l_extendedprice", "mean"),
            avg_disc=("l_discount", "mean"), count_order=("l_orderkey", "size")).compute().sort_index()

    def q6():
        d = dates(li)
        df = li[(d >= ts(1994, 1, 1)) & (d < ts(1995, 1, 1)) & li.l_discount.between(0.05, 0.07) & (li.l_quantity < 24)]
        return pd.DataFrame({"revenue": [(df.l_extendedprice * df.l_discount).sum().compute()]})

    def join():
        d = dates(li)
        df = li[(d >= ts(1995, 9, 1)) & (d < ts(1995, 10, 1))].merge(part, left_on="l_partkey", right_on="p_partkey",
                                                                     broadcast=True)
        df = df.assign(rev=df.l_extendedprice * (1 - df.l_discount))
        df = df.assign(promo=df.rev.where(df.p_type.str.startswith("PROMO"), 0.0))
        promo, rev = dask.compute(df.promo.sum(), df.rev.sum())
        return pd.DataFrame({"promo_revenue": [100.0 * promo / rev]})

    return {
        "q1": q1,
        "q6": q6,
        "groupby-100": lambda: li.assign(k=li.l_suppkey % 100).groupby("k").l_extendedprice.sum().rename("s").to_frame().compute(),
        "groupby-partkey": lambda: li.groupby("l_partkey").l_quantity.sum().rename("s").to_frame().compute(),
        "filter-count": lambda: pd.DataFrame({"n": [len(li[(li.l_shipmode == "AIR") & (li.l_quantity < 10)])]}),
        "join-part": join,
    }, lambda r, col: (len(r), float(r[col].sum()))


def main():
    queries, answer = polars_queries() if ENGINE == "polars" else dask_queries()
    if len(sys.argv) > 5:  # the benchmark's --queries
        queries = {n: q for n, q in queries.items() if n in sys.argv[5].split(",")}
    for name, q in queries.items():  # the warm-up
        try:
            q()
        except Exception as e:  # noqa: BLE001 - reported, the other queries still run
            print("RESULT " + json.dumps({"query": name, "seconds": [], "rows": 0, "checksum": 0, "error": repr(e)}), flush=True)
            queries[name] = None
    times = {n: [] for n in queries}
    results = {}
    for _ in range(ROUNDS):
        for name, q in queries.items():
            if q is None:
                continue
            start = time.perf_counter()
            results[name] = q()
            times[name].append(time.perf_counter() - start)
    for name, q in queries.items():
        if q is not None:
            rows, checksum = answer(results[name], CHECKS[name])
            print("RESULT " + json.dumps({"query": name, "seconds": times[name], "rows": rows, "checksum": checksum}), flush=True)


if __name__ == "__main__":
    main()

"""Dask distributed side of Partita's data-plane benchmarks (run by DataPlaneBenchmark with /usr/bin/python3).

Same workloads as the Partita side, on 2 worker processes x 1 thread over loopback; prints one JSON line.

handover: (with Dask's default lz4 compression and with compression off; the better is Dask's figure)
    a 256 MiB int64 numpy array (32M values) produced by a task pinned to worker A, then summed by a task
    pinned to worker B (remote input) or to A (input already local). The hand-over time is the median over
    --repeats rounds (after a warm-up round) of the paired difference remote - local, each latency measured from
    submit to result on the client; no rate when that median is not positive. Every round produces a fresh array (a
    new key), so B never holds it yet.
remote (--scheduler ADDR): against a cluster started elsewhere (workers a and b in other network namespaces, say):
    the hand-over a -> b as the median of per-round (remote - local) differences, and the client's gather of the array
    from a; medians with min and max.
larger: 2 workers with memory_limit 512MiB each persist --total-mib of int64 partitions of --partition-mib each
    (values are the global row numbers 0..N-1), then an exact sum and count over them, checked against N(N-1)/2 and N.
    Reports wall time (persist + aggregate), the peak memory of any worker process (VmRSS from /proc every 100 ms,
    restarted workers included) and how many times a nanny restarted a worker for exceeding 95% of its limit.
"""
import argparse
import json
import logging
import os
import threading
import time

import dask
import numpy as np
from distributed import Client, LocalCluster, wait

MIB = 1 << 20


def produce(n, seed):
    # seed only makes each repeat a new key; the values are 0..n-1
    return np.arange(n, dtype=np.int64)


def consume(a):
    return int(a.sum())


def make_partition(index, rows):
    return np.arange(index * rows, (index + 1) * rows, dtype=np.int64)


def sum_count(a):
    return int(a.sum()), int(a.size)


def combine(parts):
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def latency(client, fn, *args, **kwargs):
    start = time.perf_counter()
    value = client.submit(fn, *args, pure=False, **kwargs).result()
    return time.perf_counter() - start, value


def handover(size_mib, repeats, compression):
    n = size_mib * MIB // 8
    expected = n * (n - 1) // 2
    with dask.config.set({"distributed.comm.compression": compression}), LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        a, b = sorted(client.scheduler_info()["workers"])
        differences, locals_, remotes = [], [], []
        for r in range(repeats + 1):  # the first round is the warm-up
            x = client.submit(produce, n, r, workers=[a], pure=False)
            wait(x)
            local, v1 = latency(client, consume, x, workers=[a])
            remote, v2 = latency(client, consume, x, workers=[b])
            assert v1 == expected and v2 == expected, (v1, v2)
            if r > 0:
                differences.append(remote - local)
                locals_.append(local)
                remotes.append(remote)
            del x
            time.sleep(0.2)  # let the scheduler release the replicas
        delta = stats(differences)["median"]
        return {"compression": str(compression), "bytes": n * 8, "local_s": stats(locals_), "remote_s": stats(remotes),
                "differences_s": stats(differences), "handover_s": delta,
                "bytes_per_s": (n * 8) / delta if delta > 0 else None}


def stats(values):
    v = sorted(values)
    if not v:
        return None
    mid = len(v) // 2
    median = v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2
    return {"median": median, "min": v[0], "max": v[-1], "n": len(v)}


def remote(address, workers, size_mib, repeats):
    """Against a running cluster (scheduler at address; workers a and b by name, e.g. on other hosts): the
    hand-over a -> b as the median of the paired per-round differences (remote - local), and the client's gather of
    the array from a, each round a fresh array. Compression is whatever the cluster's processes were configured with
    (DASK_DISTRIBUTED__COMM__COMPRESSION)."""
    n = size_mib * MIB // 8
    expected = n * (n - 1) // 2
    a, b = workers
    differences, gathers, locals_ = [], [], []
    with Client(address) as client:
        client.wait_for_workers(2, timeout=120)
        by_name = {w["name"]: addr for addr, w in client.scheduler_info()["workers"].items()}
        wa, wb = by_name[a], by_name[b]
        for r in range(repeats + 1):  # the first round is the warm-up
            x = client.submit(produce, n, r, workers=[wa], pure=False)
            wait(x)
            local, v1 = latency(client, consume, x, workers=[wa])
            remote_s, v2 = latency(client, consume, x, workers=[wb])
            y = client.submit(produce, n, -r - 1, workers=[wa], pure=False)
            wait(y)
            start = time.perf_counter()
            got = y.result()
            gather_s = time.perf_counter() - start
            assert v1 == expected and v2 == expected and got.size == n, (v1, v2, got.size)
            del got
            if r > 0:
                differences.append(remote_s - local)
                gathers.append(gather_s)
                locals_.append(local)
            del x, y
            time.sleep(0.2)  # let the scheduler release the replicas
    return {"bytes": n * 8, "compression": str(dask.config.get("distributed.comm.compression")),
            "handover_differences_s": differences, "handover_s": stats(differences), "local_s": stats(locals_),
            "gather_times_s": gathers, "gather_s": stats(gathers)}


def worker_pids():
    """The worker processes: children of this process (LocalCluster's nannies live here) other than helpers."""
    import psutil
    pids = []
    for child in psutil.Process().children():
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                pids.append(child.pid)
        except psutil.Error:
            pass
    return pids


class RssSampler(threading.Thread):
    """Samples VmRSS of the worker processes every 100 ms (re-listing them every second, since a worker that a
    nanny restarts is a new process); keeps the peak of any one worker and of their sum."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = set(pids)
        self.seen = set(pids)
        self.peak_one = 0
        self.peak_total = 0
        self.samples = 0
        self.stop = threading.Event()

    @staticmethod
    def rss(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def run(self):
        while not self.stop.is_set():
            if self.samples % 10 == 0:
                self.pids = set(worker_pids()) | self.pids
                self.seen |= self.pids
            total = 0
            for p in list(self.pids):
                r = self.rss(p)
                if r == 0:
                    self.pids.discard(p)
                self.peak_one = max(self.peak_one, r)
                total += r
            self.peak_total = max(self.peak_total, total)
            self.samples += 1
            self.stop.wait(0.1)


class Counter(logging.Handler):
    """Counts the nannies' "exceeded 95% memory budget. Restarting" warnings (logged here, where
    LocalCluster's nannies run)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.restarts = 0

    def emit(self, record):
        message = record.getMessage()
        if "Restarting" in message and "memory budget" in message:
            self.restarts += 1


def spilled(dask_worker):
    data = dask_worker.data
    try:
        return {"spilled_keys": len(data.slow), "memory_keys": len(data.fast),
                "spilled_bytes": int(getattr(data, "spilled_total", None).disk) if hasattr(data, "spilled_total") else None}
    except Exception as e:  # the SpillBuffer's internals differ between versions
        return {"error": repr(e)}


def larger(total_mib, partition_mib, memory_limit, timeout_s):
    rows = partition_mib * MIB // 8
    count = total_mib // partition_mib
    n = rows * count
    out = {"partitions": count, "partition_bytes": rows * 8, "total_bytes": n * 8, "memory_limit": memory_limit}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      memory_limit=memory_limit) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        counter = Counter()
        logging.getLogger("distributed").addHandler(counter)
        sampler = RssSampler(pids.values())
        sampler.start()
        start = time.perf_counter()
        try:
            parts = client.map(make_partition, range(count), rows=rows, pure=False)
            wait(parts, timeout=timeout_s)
            persisted = time.perf_counter() - start
            partials = client.map(sum_count, parts, pure=False)
            total, rows_seen = client.submit(combine, partials, pure=False).result(timeout=timeout_s)
            wall = time.perf_counter() - start
            out.update({"finished": True, "wall_s": wall, "persist_s": persisted, "sum": total, "count": rows_seen,
                        "correct": total == n * (n - 1) // 2 and rows_seen == n})
            out["spill"] = client.run(spilled)
            del parts, partials
        except Exception as e:
            out.update({"finished": False, "error": repr(e), "after_s": time.perf_counter() - start})
        finally:
            sampler.stop.set()
            sampler.join()
            logging.getLogger("distributed").removeHandler(counter)
        out["peak_rss_per_worker"] = sampler.peak_one
        out["peak_rss_total"] = sampler.peak_total
        out["rss_samples"] = sampler.samples
        out["worker_processes_seen"] = len(sampler.seen)
        out["memory_restarts"] = counter.restarts
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default="handover,larger", help="comma-separated: handover, larger")
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--total-mib", type=int, default=4096)
    parser.add_argument("--partition-mib", type=int, default=64)
    parser.add_argument("--memory-limit", default="512MiB")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for the larger-than-memory run")
    parser.add_argument("--scheduler", help="run 'remote' against this running scheduler (tcp://host:port) instead")
    parser.add_argument("--workers", default="a,b", help="with --scheduler: the producer's and the consumer's worker names")
    args = parser.parse_args()
    benches = set(args.bench.split(","))
    out = {"version": dask.__version__}
    if args.scheduler:
        out["remote"] = remote(args.scheduler, args.workers.split(","), args.size_mib, args.repeats)
        print(json.dumps(out))
        return
    if "handover" in benches:
        # Dask compresses frames with lz4 when it is installed ("auto"), which costs more than it saves on loopback:
        # measure both, the better one is Dask's figure.
        runs = [handover(args.size_mib, args.repeats, c) for c in ("auto", None)]
        out["handover_runs"] = runs
        out["handover"] = max(runs, key=lambda h: h["bytes_per_s"] or 0)
    if "larger" in benches:
        out["larger"] = larger(args.total_mib, args.partition_mib, args.memory_limit, args.timeout)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

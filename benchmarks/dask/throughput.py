"""Dask distributed side of Partita's throughput benchmark (run by ThroughputBenchmark with /usr/bin/python3).

Same workloads as the Partita side: N independent no-op tasks (map + gather) and a pairwise tree reduction over
L leaves, on 2 worker processes x 1 thread over loopback. Submit time is counted. Runs Dask with its default
scheduler configuration and with worker-saturation inf (root tasks not queued), prints one JSON line.
"""
import argparse
import json
import time

import dask
from distributed import Client, LocalCluster


def noop(x):
    return x


def add(a, b):
    return a + b


def tree(client, leaves):
    level = client.map(noop, range(leaves), pure=False)
    while len(level) > 1:
        level = [client.submit(add, level[i], level[i + 1], pure=False) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0].result()


def measure(saturation, tasks, leaves, repeats):
    """Seconds of each measured round: {"noop_s": [...], "tree_s": [...]}."""
    with dask.config.set({"distributed.scheduler.worker-saturation": saturation}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            for _ in range(3):  # the same warm-up as Partita's: 3 x (5,000 no-ops, a tree over 2,000 leaves)
                client.gather(client.map(noop, range(5000), pure=False))
                tree(client, 2000)
            noop_s, tree_s = [], []
            for _ in range(repeats):
                start = time.perf_counter()
                futures = client.map(noop, range(tasks), pure=False)
                results = client.gather(futures)
                noop_s.append(time.perf_counter() - start)
                assert len(results) == tasks
                del futures, results
                start = time.perf_counter()
                total = tree(client, leaves)
                tree_s.append(time.perf_counter() - start)
                assert total == leaves * (leaves - 1) // 2, total
            return {"noop_s": noop_s, "tree_s": tree_s}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--leaves", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    out = {"version": dask.__version__}
    for name, saturation in (("default", dask.config.get("distributed.scheduler.worker-saturation")), ("inf", "inf")):
        out[name] = measure(saturation, args.tasks, args.leaves, args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

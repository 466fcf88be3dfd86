"""Dask distributed side of Partita's scheduling benchmark (run by SchedulingBenchmark with /usr/bin/python3).

Same workloads as the Partita side, with the scheduler and 2 workers as separate processes on loopback
(dask-scheduler / dask-worker, so that the scheduler's memory can be read on its own):
  uneven   N sleeping tasks, every 4th one 20x longer, work stealing on and off (default queuing config);
           --repeats rounds after one warm-up
  memory   growth of the scheduler's resident memory while M finished no-op tasks are held, per task;
           --repeats rounds, each on a fresh cluster
  million  a map of 1,000,000 no-op tasks: seconds to the first result and to the last, under a time limit
Prints one JSON line.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import dask
import psutil
from distributed import Client, wait


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """dask-scheduler and 2 dask-worker processes; `config` goes to all of them through DASK_* variables."""

    def __init__(self, threads, config):
        self.port = free_port()
        env = dict(os.environ)
        env.update(config)
        self.dir = tempfile.mkdtemp(prefix="dask-bench-")
        common = [sys.executable, "-m"]
        self.scheduler = subprocess.Popen(common + ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                                    str(self.port), "--no-dashboard"],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers = [subprocess.Popen(common + ["distributed.cli.dask_worker", f"tcp://127.0.0.1:{self.port}",
                                                   "--nthreads", str(threads), "--nworkers", "1", "--no-dashboard",
                                                   "--host", "127.0.0.1", "--local-directory", self.dir,
                                                   "--memory-limit", "0"],
                                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        for _ in range(2)]
        self.client = Client(f"tcp://127.0.0.1:{self.port}", timeout=120)
        self.client.wait_for_workers(2, timeout=120)

    def close(self):
        self.client.close()
        for p in self.workers + [self.scheduler]:
            p.send_signal(signal.SIGTERM)
        for p in self.workers + [self.scheduler]:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["rm", "-rf", self.dir])


def duration(i, short_micros):
    return (20 * short_micros if i % 4 == 0 else short_micros) / 1e6


def sleeper(i, short_micros):
    time.sleep(duration(i, short_micros))
    return i


def noop(x):
    return x


def uneven(args, stealing):
    config = {"DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "True" if stealing else "False"}
    cluster = Cluster(args.threads, config)
    try:
        client = cluster.client
        client.gather(client.map(sleeper, range(2000), short_micros=args.short_micros, pure=False))  # warm-up
        busy = sum(duration(i, args.short_micros) for i in range(args.uneven_tasks))
        rounds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            results = client.gather(client.map(sleeper, range(args.uneven_tasks), short_micros=args.short_micros, pure=False))
            seconds = time.perf_counter() - start
            assert results == list(range(args.uneven_tasks))
            rounds.append(seconds)
        return {"seconds": rounds, "tasks_per_s": [args.uneven_tasks / s for s in rounds],
                "utilization": [busy / (s * 2 * args.threads) for s in rounds]}
    finally:
        cluster.close()


def memory_round(args):
    cluster = Cluster(1, {})
    try:
        client = cluster.client
        client.gather(client.map(noop, range(20000), pure=False))  # warm-up, released
        proc = psutil.Process(cluster.scheduler.pid)
        time.sleep(1)
        before = proc.memory_info().rss
        futures = client.map(noop, range(args.memory_tasks), pure=False)
        wait(futures)
        time.sleep(1)
        after = proc.memory_info().rss
        del futures
        return (after - before) / args.memory_tasks
    finally:
        cluster.close()


def memory(args):
    """One fresh cluster per round: a scheduler's memory does not shrink back between rounds."""
    return {"tasks": args.memory_tasks, "rss_bytes_per_task": [memory_round(args) for _ in range(args.repeats)]}


def million(args):
    cluster = Cluster(1, {})
    try:
        client = cluster.client
        client.gather(client.map(noop, range(20000), pure=False))  # warm-up
        deadline = time.perf_counter() + args.timeout
        start = time.perf_counter()
        futures = client.map(noop, range(args.million_tasks), pure=False)
        first = None
        while first is None and time.perf_counter() < deadline:
            if any(f.done() for f in futures[:1000]):
                first = time.perf_counter() - start
            else:
                time.sleep(0.01)
        left = deadline - time.perf_counter()
        if first is None or left <= 0:
            return {"finished": False, "first_result_s": first}
        try:
            wait(futures, timeout=left)
        except Exception:  # distributed's TimeoutError
            return {"finished": False, "first_result_s": first}
        total = time.perf_counter() - start
        return {"finished": all(f.done() for f in futures), "first_result_s": first, "total_s": total}
    finally:
        cluster.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default="uneven,memory,million")
    parser.add_argument("--uneven-tasks", type=int, default=10000)
    parser.add_argument("--short-micros", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-tasks", type=int, default=200000)
    parser.add_argument("--million-tasks", type=int, default=1000000)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    benches = args.bench.split(",")
    out = {"version": dask.__version__}
    if "uneven" in benches:
        out["uneven_on"] = uneven(args, True)
        out["uneven_off"] = uneven(args, False)
    if "memory" in benches:
        out["memory"] = memory(args)
    if "million" in benches:
        out["million"] = million(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Run as a JobStep on several nodes by the distributed-training e2e test, with the standard library only:
the ranks rendezvous at MASTER_ADDR:MASTER_PORT (rank 0's DNS name), all-reduce (sum) one value each and
write the agreed sum to their output; the rank given by --fail_rank exits 3 instead."""

import argparse
import json
import os
import socket
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--train_url")
parser.add_argument("--fail_rank", type=int, default=-1)
args, _ = parser.parse_known_args()
rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
master, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
print(json.dumps({k: os.environ.get(k) for k in ("RANK", "NODE_RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR",
                                                 "VC_WORKER_HOSTS", "VC_TASK_INDEX")}), flush=True)
if rank == args.fail_rank:
    print(f"rank {rank} gives up", flush=True)
    sys.exit(3)

value = (rank + 1) * 10
if rank == 0:
    server = socket.create_server(("", port))
    server.settimeout(300)
    values, peers = [value], []
    for _ in range(world - 1):
        peer, _ = server.accept()
        values.append(int(peer.recv(64)))
        peers.append(peer)
    total = sum(values)
    for peer in peers:
        peer.sendall(str(total).encode())
        peer.close()
else:
    deadline = time.monotonic() + 300
    while True:  # rank 0 may not listen yet, or its name not resolve yet
        try:
            connection = socket.create_connection((master, port), timeout=10)
            break
        except OSError as problem:
            if time.monotonic() > deadline:
                raise SystemExit(f"rank {rank} cannot reach {master}:{port}: {problem}") from None
            time.sleep(1)
    connection.sendall(str(value).encode())
    total = int(connection.recv(64))

Path(args.train_url, f"sum-{rank}.json").write_text(json.dumps({"rank": rank, "world": world, "sum": total,
                                                               "host": socket.gethostname()}))
print(f"rank {rank}: all-reduce sum {total}", flush=True)

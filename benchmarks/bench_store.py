"""Store throughput: ``irisfx push`` / ``irisfx pull`` of one file, each a whole process.

Folder store (the table's rows, also in run_all.py): beside the same work done by the usual
tools as processes, ``openssl dgst -sha256`` + ``cp`` + ``sync FILE`` (a push or pull hashes the
bytes, copies them and makes them durable); goal >= 0.85 of its speed.
S3 through moto's server on 127.0.0.1 (printed below the table; in memory, its speed bounds
both sides): beside plain fsspec ``fs.put_file`` / ``fs.get_file`` of the same file.
Medians of --rounds rounds; every round uploads and downloads for real (the object and the
local file are deleted first).
Run: python benchmarks/bench_store.py [--size-mib 256] [--s3-size-mib 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import Row, hash_copy_sync, make_file, median, print_table, scratch

CONFIG = """\
[irisfx]
project = "bench"
store = "{store}"

[fixtures.blob]
file = "fixtures/blob.dat"

[fixtures.blob.pin]
sha256 = "{sha256}"
size = {size}
built_by = "irisfx-sim 0.1.0"
created = 2026-01-01T00:00:00Z
"""

REFERENCE = """\
import json, sys
from fsspec.core import url_to_fs
fs, root = url_to_fs(sys.argv[2])
if sys.argv[1] == "put":
    fs.put_file(sys.argv[3], root + "/ref.dat")
else:
    fs.get_file(root + "/ref.dat", sys.argv[3])
"""


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def run_store(label: str, url: str, size_mib: int, rounds: int, env: dict[str, str],
              remove: Callable[[str], None]) -> None:
    folder = scratch()
    try:
        project = folder / "proj"
        (project / "fixtures").mkdir(parents=True)
        blob = make_file(project / "fixtures" / "blob.dat", size_mib << 20)
        digest = hashlib.sha256()
        with blob.open("rb") as handle:
            while block := handle.read(8 << 20):
                digest.update(block)
        sha = digest.hexdigest()
        (project / "fixtures.toml").write_text(CONFIG.format(store=url, sha256=sha,
                                                             size=blob.stat().st_size))
        kept = folder / "kept.dat"
        shutil.copyfile(blob, kept)
        irisfx = [sys.executable, "-m", "irisfx"]
        ref = [sys.executable, "-c", REFERENCE]
        times: dict[str, list[float]] = {k: [] for k in ("push", "put", "pull", "get")}
        key = f"sha256/{sha[:2]}/{sha[2:]}"
        for _ in range(rounds):
            remove(key)
            times["push"].append(timed([*irisfx, "push"], project, env))
            remove("ref.dat")
            times["put"].append(timed([*ref, "put", url, str(kept)], project, env))
            blob.unlink()
            times["pull"].append(timed([*irisfx, "pull"], project, env))
            got = folder / "got.dat"
            got.unlink(missing_ok=True)
            times["get"].append(timed([*ref, "get", url, str(got)], project, env))
            assert got.stat().st_size == blob.stat().st_size
        mb = (size_mib << 20) / 1e6
        print(f"{label}: one file of {size_mib} MiB, median of {rounds} rounds, whole process")
        for ours, theirs in (("push", "put"), ("pull", "get")):
            a, b = statistics.median(times[ours]), statistics.median(times[theirs])
            print(f"  irisfx {ours:<5} {mb / a:8.1f} MB/s ({a:6.2f} s)   fs.{theirs}_file "
                  f"{mb / b:8.1f} MB/s ({b:6.2f} s)   ratio {b / a:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def folder_rows(size_mib: int, rounds: int) -> list[Row]:
    """Push and pull to a folder store beside openssl dgst + cp + sync of the same file."""
    folder = scratch()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IRISFX_") and k != "PYTHONDONTWRITEBYTECODE"}
    try:
        store = folder / "store"
        store.mkdir()
        project = folder / "proj"
        (project / "fixtures").mkdir(parents=True)
        blob = make_file(project / "fixtures" / "blob.dat", size_mib << 20)
        sha = hashlib.sha256(blob.read_bytes()).hexdigest()
        (project / "fixtures.toml").write_text(CONFIG.format(
            store=store.as_uri(), sha256=sha, size=blob.stat().st_size))
        kept = folder / "kept.dat"
        shutil.copyfile(blob, kept)
        irisfx = [sys.executable, "-m", "irisfx"]
        object_path = store / "sha256" / sha[:2] / sha[2:]
        times: dict[str, list[float]] = {k: [] for k in ("push", "pull", "ref_push", "ref_pull")}
        for _ in range(rounds):
            object_path.unlink(missing_ok=True)
            times["push"].append(timed([*irisfx, "push"], project, env))
            times["ref_push"].append(hash_copy_sync(kept, store / "ref.dat") or 0.0)
            blob.unlink()
            times["pull"].append(timed([*irisfx, "pull"], project, env))
            times["ref_pull"].append(hash_copy_sync(store / "ref.dat", folder / "got.dat")
                                     or 0.0)
            if hashlib.sha256(blob.read_bytes()).hexdigest() != sha:
                raise RuntimeError("pull did not bring back the pinned bytes")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    mb = (size_mib << 20) / 1e6
    for kind in ("push", "pull"):
        ours, ref = median(times[kind]), median(times[f"ref_{kind}"])
        ratio = ref / ours if ref > 0 else None
        rows.append(Row(
            f"folder store `{kind}`, {size_mib} MiB",
            f"{mb / ours:.0f} MB/s" + (f" = **{ratio:.2f}** of the reference" if ratio else ""),
            f"`openssl dgst` + `cp` + `sync FILE`: {mb / ref:.0f} MB/s" if ref > 0
            else "openssl missing",
            ">= 0.85", ratio >= 0.85 if ratio else None,
            [f"irisfx {ours:.2f} s, reference {ref:.2f} s"],
        ))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--s3-size-mib", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRISFX_")}
    print_table(folder_rows(args.size_mib, args.rounds))
    print()

    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    aws_home = scratch()
    try:
        (aws_home / "config").write_text("")
        s3_env = {**env, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                  "AWS_DEFAULT_REGION": "us-east-1",
                  "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                  "AWS_CONFIG_FILE": str(aws_home / "config"),
                  "AWS_SHARED_CREDENTIALS_FILE": str(aws_home / "config")}
        client = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"],
                              region_name="us-east-1", aws_access_key_id="bench",
                              aws_secret_access_key="bench")
        client.create_bucket(Bucket="bench")

        def remove_object(key: str) -> None:
            client.delete_object(Bucket="bench", Key=f"store/{key}")

        run_store("S3 (moto server on 127.0.0.1)", "s3://bench/store", args.s3_size_mib,
                  args.rounds, s3_env, remove_object)
    finally:
        server.stop()
        shutil.rmtree(aws_home, ignore_errors=True)


if __name__ == "__main__":
    main()

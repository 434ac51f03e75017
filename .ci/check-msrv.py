"""Fails if a dependency declares a rust-version newer than the workspace's `rust-version`.

These machines have one toolchain, so CI cannot build with the MSRV itself; this checks the
declaration against what the locked dependency tree says it needs.
"""
import json
import subprocess
import sys
import tomllib


def version(v):
    # "1.88" and "1.88.0" are the same version: pad to three parts before comparing.
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


with open("Cargo.toml", "rb") as f:
    ours = tomllib.load(f)["workspace"]["package"]["rust-version"]
meta = json.loads(
    subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"])
)
members = set(meta["workspace_members"])
needs = sorted(
    (version(p["rust_version"]), p["name"], p["version"])
    for p in meta["packages"]
    if p.get("rust_version") and p["id"] not in members
)
newest = needs[-1]
print(f"declared MSRV {ours}; the dependency tree needs {'.'.join(map(str, newest[0]))} ({newest[1]} {newest[2]})")
if version(ours) < newest[0]:
    sys.exit(f"rust-version {ours} is older than {newest[1]} {newest[2]} allows")
if version(ours) > newest[0]:
    sys.exit(f"rust-version {ours} is newer than the dependencies need: lower it to {'.'.join(map(str, newest[0]))}")

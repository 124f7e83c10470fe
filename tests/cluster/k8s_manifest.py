#!/usr/bin/env python3
"""Check examples/cluster/kubernetes: the Indexed Job and its merge Job parse
(python3-yaml), carry the fields an Indexed Job needs, agree with each other,
and their commands work: every pod's command is run here with its
JOB_COMPLETION_INDEX (the /data volume mapped to a scratch folder), then the
merge Job's, and the table must equal one plain run byte for byte.

argv: gen_clip helper. Env: SIGMIX_BIN, SIGMIX_SRC.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

SRC = os.environ.get("SIGMIX_SRC", ".")
BIN = os.environ["SIGMIX_BIN"]
GEN = sys.argv[1]
KDIR = os.path.join(SRC, "examples", "cluster", "kubernetes")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def load(name):
    with open(os.path.join(KDIR, name)) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    check(len(docs) == 1, f"{name}: one document, got {len(docs)}")
    return docs[0]


def opt(cmd, name):
    """Value after option name in cmd, or None."""
    return cmd[cmd.index(name) + 1] if name in cmd and cmd.index(name) + 1 < len(cmd) else None


def job_container(doc, name):
    check(doc.get("apiVersion") == "batch/v1", f"{name}: apiVersion batch/v1")
    check(doc.get("kind") == "Job", f"{name}: kind Job")
    pod = doc["spec"]["template"]["spec"]
    check(pod.get("restartPolicy") in ("Never", "OnFailure"), f"{name}: restartPolicy")
    check(pod.get("terminationGracePeriodSeconds", 30) >= 30,
          f"{name}: a grace period for SIGTERM")
    cs = pod["containers"]
    check(len(cs) == 1, f"{name}: one container")
    c = cs[0]
    check(isinstance(c.get("command"), list) and all(isinstance(a, str) for a in c["command"]),
          f"{name}: command is a list of strings")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        check(m["name"] in vols and "persistentVolumeClaim" in vols[m["name"]],
              f"{name}: mount {m['name']} is a shared volume claim")
    lim = c.get("resources", {}).get("limits", {})
    check("cpu" in lim, f"{name}: a CPU limit (sigmix sizes --jobs from it)")
    return c, vols


job = load("saliency-job.yaml")
merge = load("merge-job.yaml")
c, vols = job_container(job, "saliency-job.yaml")
mc, _ = job_container(merge, "merge-job.yaml")
spec = job["spec"]
cmd, mcmd = c["command"], mc["command"]

check(spec.get("completionMode") == "Indexed", "completionMode: Indexed")
n = spec.get("completions")
check(isinstance(n, int) and n >= 1, "completions is a positive integer")
par = spec.get("parallelism")
check(isinstance(par, int) and 1 <= par <= n, "1 <= parallelism <= completions")
check(cmd[:2] == ["sigmix", "saliency"], "the Job runs sigmix saliency")
check(opt(cmd, "--shards") == str(n), "--shards equals completions")
check("--shard" not in cmd and "--merge" not in cmd and "--no-shard-env" not in cmd,
      "the shard comes from JOB_COMPLETION_INDEX")
env = {e["name"]: e for e in c.get("env", [])}
check("JOB_COMPLETION_INDEX" in env and env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]
      ["fieldPath"] == "metadata.annotations['batch.kubernetes.io/job-completion-index']",
      "JOB_COMPLETION_INDEX from the completion-index annotation")
check(merge["spec"].get("completionMode", "NonIndexed") == "NonIndexed"
      and merge["spec"].get("completions", 1) == 1, "the merge is one pod")
check("--merge" in mcmd, "the merge Job runs --merge")
check(opt(mcmd, "--shards") in (None, str(n)), "the merge's --shards equals completions")
# Same input, output and options, or the merge refuses the shards.
def strip(a):
    """The command without --merge, --shards N and --audit-json FILE."""
    out, skip = [], False
    for x in a:
        if skip:
            skip = False
        elif x in ("--shards", "--audit-json"):
            skip = True
        elif x != "--merge":
            out.append(x)
    return out


check(strip(cmd) == strip(mcmd), f"same command apart from --merge: {strip(cmd)} vs {strip(mcmd)}")
check(c["image"] == mc["image"], "same image")
mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
check(any(opt(cmd, "--output").startswith(p.rstrip("/") + "/") for p in mounts),
      "the output lies on the shared volume")

# ---- run the pods' commands here ------------------------------------------------
if not failures:
    tmp = tempfile.mkdtemp(prefix="sigmix-k8s.")
    try:
        data = os.path.join(tmp, "data")
        os.makedirs(os.path.join(data, "clips"))
        rows = []
        for i in range(12):
            clip = os.path.join(data, "clips", f"c{i}.yuv")
            subprocess.run([GEN, clip, "16", "12", "3", str(40 + 9 * i), "210", "2", "2", "5",
                            "1", "1"], check=True)
            rows += [f'{{"src": "c{i}.yuv", "width": 16, "height": 12, "i": {i}}}'] * (1 + i % 2)
        rows.append('{"src": "gone.yuv", "width": 16, "height": 12, "i": 99}')
        jl = os.path.join(tmp, "t.jsonl")
        with open(jl, "w") as f:
            f.write("\n".join(rows) + "\n")
        subprocess.run([BIN, "cat", jl, "-o", os.path.join(data, "table.parquet")], check=True)

        def local(a):
            a = [BIN if i == 0 else x for i, x in enumerate(a)]
            return [data + x[5:] if x.startswith("/data/") else x for x in a]

        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith("SLURM_") and k != "JOB_COMPLETION_INDEX"}
        procs = []
        for k in range(n):  # a few pods at a time, as parallelism would
            e = dict(clean, JOB_COMPLETION_INDEX=str(k))
            procs.append(subprocess.Popen(local(cmd), env=e, stderr=subprocess.PIPE, text=True))
            if len(procs) >= 4 or k == n - 1:
                for p in procs:
                    _, err = p.communicate(timeout=120)
                    check(p.returncode == 0, f"pod exit {p.returncode}: {err}")
                procs = []
        out = local(["sigmix", opt(cmd, "--output")])[1]
        for k in range(n):
            check(os.path.exists(f"{out}.shard-{k}-of-{n}.jsonl"), f"shard file {k} of {n}")
        check(not os.path.exists(out), "no table before the merge")
        m = subprocess.run(local(mcmd), env=clean, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        check(m.returncode == 1, f"merge exit {m.returncode} (1: a missing source): {m.stderr}")
        check(f"saliency: merge: {n} of {n} shard files, 12 clips" in m.stderr,
              f"merge read every shard: {m.stderr}")
        single = os.path.join(tmp, "single.parquet")
        plain = strip(local(mcmd))
        plain[plain.index("--output") + 1] = single
        s = subprocess.run(plain, env=clean, stderr=subprocess.PIPE, text=True, timeout=300)
        check(s.returncode == 1, f"single run exit {s.returncode}: {s.stderr}")
        with open(out, "rb") as a, open(single, "rb") as b:
            check(a.read() == b.read(), "merged table differs from one run")
    finally:
        shutil.rmtree(tmp)

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("kubernetes manifests ok")

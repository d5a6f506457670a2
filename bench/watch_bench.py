"""Benchmarks of the tasks side: `flexsync watch` against live traffic, and planning open tasks
against a 1,000,000-row CRM export beside a Python script doing the same matching.

Used by bench/run.py (`python3 bench/run.py watch plan_tasks`).
"""
import json
import os
import random
import signal
import subprocess
import time

CRM_ROWS = 1_000_000


def crm_phone(i):
    return f"+1{200 + i // 10_000_000:03d}{i % 10_000_000:07d}"


def generate_crm(path, rows=CRM_ROWS):
    """A Salesforce-like contacts export: Id, phone (national US format), e-mail, name, company."""
    if os.path.exists(path):
        return path
    rng = random.Random(16)
    companies = ["Acme Ltd", "Globex", "Initech", "Umbrella, Inc.", "Stark Industries"]
    with open(path + ".tmp", "w", encoding="utf-8", newline="") as handle:
        handle.write("Id,Phone,Email,Name,Company\r\n")
        for i in range(rows):
            phone = crm_phone(i)
            national = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
            company = companies[rng.randrange(len(companies))]
            quoted = f'"{company}"' if "," in company else company
            handle.write(f"003{i:015d},{national},customer{i}@example.com,Customer {i},{quoted}\r\n")
    os.replace(path + ".tmp", path)
    return path


def write_tasks_job(directory, export, workspace, policies):
    with open(os.path.join(directory, "mapping.yaml"), "w") as handle:
        handle.write("target: tasks\nkey: { match: [customers.external_id, customers.phone, customers.email] }\n"
                     "attributes:\n  customers.external_id: Id\n"
                     "  customers.phone: { field: Phone, transforms: [{ phone: { country: US } }] }\n"
                     "  customers.email: { field: Email, transforms: [email] }\n  customers.name: Name\n"
                     "  customers.organization: Company\n")
    with open(os.path.join(directory, "job.yaml"), "w") as handle:
        handle.write(f"name: bench-tasks\nmapping: mapping.yaml\nsource: {{ path: {export}, format: csv }}\n"
                     f"taskrouter: {{ workspace_sid: {workspace} }}\npolicies: {policies}\n")
    return os.path.join(directory, "job.yaml")


PYTHON_PLAN = r'''
import csv, json, sys
by_email, by_phone = {}, {}
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        digits = "".join(c for c in row["Phone"] if c.isdigit())
        record = {"external_id": row["Id"], "phone": "+1" + digits[-10:], "email": row["Email"].strip().lower(),
                  "name": row["Name"], "organization": row["Company"]}
        by_email[record["email"]] = record
        by_phone[record["phone"]] = record
tasks = json.load(open(sys.argv[2]))
changed = 0
for attributes in tasks:
    customers = attributes.get("customers", {})
    record = by_phone.get(attributes.get("from", "")) or by_phone.get(customers.get("phone", "")) \
        or by_email.get(customers.get("email", "").lower())
    if record and any(customers.get(k) != v for k, v in record.items()):
        changed += 1
print(changed)
'''


def bench_plan_tasks(bench):
    """plan of 500 open tasks against the 1M-row export, and a Python dict-by-key script on the same."""
    export = generate_crm(os.path.join(bench.OUT, "crm-1m.csv"))
    rng = random.Random(5)
    tasks, attributes = [], []
    for n in range(500):
        i = rng.randrange(CRM_ROWS)
        a = {"from": crm_phone(i)} if n % 2 == 0 else {"customers": {"email": f"Customer{i}@Example.com"}}
        attributes.append(a)
        tasks.append({"sid": "WT%032x" % (n + 1), "assignment_status": "assigned", "attributes": a})
    emulator = bench.Emulator([], [], "plan-tasks", tasks=tasks)
    try:
        job = write_tasks_job(emulator.directory, export, bench.WORKSPACE, "{ max_changed_share: 1, max_key_change_share: 1 }")
        _, seconds, rss, code = bench.measured([os.path.join(bench.BIN, "flexsync"), "plan", job, "--format", "json"],
                                               env=bench.flexsync_env(emulator.url), cwd=emulator.directory)
        assert code == 2, open(os.path.join(bench.OUT, "last.stderr")).read()[-2000:]
    finally:
        emulator.stop()
    with open(os.path.join(bench.OUT, "plan-tasks-attributes.json"), "w") as handle:
        json.dump(attributes, handle)
    out, python_seconds, _, _ = bench.python(PYTHON_PLAN, export, os.path.join(bench.OUT, "plan-tasks-attributes.json"))
    assert int(out.strip()) == 500, out
    bench.record("plan_tasks_1m_seconds", round(seconds, 2), "s", "python csv.DictReader + dict", round(python_seconds, 2),
                 round(python_seconds / seconds, 2))
    bench.record("plan_tasks_1m_peak_rss_mb", round(rss, 1), "MB", None, None, None)


def bench_watch(bench, seconds=90, interval=2.0):
    """watch against live traffic: 5 tasks/s, lifetimes scaled from 60-300 s to 12-60 s, 100 ms
    latency, a 50 requests/s limit, a 1,000,000-row export; coverage and latency from the
    emulator's log, idle cost and memory from the watcher."""
    export = generate_crm(os.path.join(bench.OUT, "crm-1m.csv"))
    directory = os.path.join(bench.OUT, "watch")
    os.makedirs(directory, exist_ok=True)
    callers = os.path.join(directory, "callers.csv")
    rng = random.Random(7)
    with open(callers, "w") as handle:
        handle.write("phone,email\n")
        for n in range(5000):   # four in five known to the export
            if n % 5 == 4:
                handle.write(f"+1999{n:07d},stranger{n}@example.org\n")
            else:
                i = rng.randrange(CRM_ROWS)
                handle.write(f"{crm_phone(i)},customer{i}@example.com\n")
    limit = 50
    emulator = bench.Emulator([], ["--latency-ms", "100", "--rps", str(limit), "--task-arrivals", "5", "--task-lifetime", "12:60",
                                   "--task-ttl", "24", "--task-customers", callers, "--random-seed", "21"], "watch")
    metrics = os.path.join(directory, "watch.prom")
    try:
        job = write_tasks_job(emulator.directory, export, bench.WORKSPACE,
                              f"{{ requests_per_second: {limit}, max_requests_per_second: {limit}, concurrency: 8 }}")
        with open(os.path.join(directory, "watch.stderr"), "w+b") as err:
            started = time.time()
            process = subprocess.Popen([os.path.join(bench.BIN, "flexsync"), "watch", job, "--interval", str(interval),
                                        "--metrics-textfile", metrics], stdout=subprocess.DEVNULL, stderr=err,
                                       env=bench.flexsync_env(emulator.url), cwd=emulator.directory)
            time.sleep(seconds)
            process.send_signal(signal.SIGTERM)
            _, status, usage = os.wait4(process.pid, 0)
            err.seek(0)
            log_lines = err.read().decode().splitlines()
        assert os.waitstatus_to_exitcode(status) == 0, "\n".join(log_lines[-20:])
        log = emulator.requests()
    finally:
        emulator.stop()
    ready = [line for line in log_lines if " cycle " in line]
    # The watcher is ready once its first cycle has run (the 1M-row export is read and indexed first).
    first_cycle = min(r["time"] for r in log if r["method"] == "GET" and r["path"].endswith("/Tasks")) if log else started
    tasks = {}
    for r in log:
        sid = r["path"].rsplit("/", 1)[-1]
        if r["method"] == "CREATE":
            tasks[sid] = {"created": r["time"], "caller": r.get("query", ""), "completed": None, "written": None}
        elif r["method"] == "COMPLETE" and sid in tasks:
            tasks[sid]["completed"] = r["time"]
        elif r["method"] == "POST" and r.get("applied") and sid in tasks and tasks[sid]["written"] is None:
            tasks[sid]["written"] = r["time"]
    known = [t for t in tasks.values() if "stranger" not in t["caller"] and "+1999" not in t["caller"]
             and t["created"] >= first_cycle and t["completed"] is not None]
    covered = [t for t in known if t["written"] is not None and t["written"] <= t["completed"]]
    latencies = sorted(t["written"] - t["created"] for t in known if t["written"] is not None)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None
    # What handled tasks cost: the list pages of each cycle, plus any read of a task after it was
    # written (the emulator's tasks change only through flexsync, so every such read is waste).
    # An idle cycle costs exactly its pages.
    lists = [r for r in log if r["method"] == "GET" and r["path"].endswith("/Tasks")]
    written_at = {}
    rereads = 0
    for r in log:
        sid = r["path"].rsplit("/", 1)[-1]
        if r["method"] == "POST" and r.get("applied"):
            written_at.setdefault(sid, r["time"])
        elif r["method"] == "GET" and sid in written_at:
            rereads += 1
    cycles = max(len(ready), 1)
    idle = [round(len(lists) / cycles + rereads / cycles, 2)]
    bench.record("watch_coverage", round(len(covered) / max(len(known), 1), 4), "share of tasks", None, None, None)
    bench.record("watch_latency_p99_s", round(p99, 2) if p99 is not None else None, "s", None, None, None)
    bench.record("watch_idle_requests_per_cycle", max(idle) if idle else None, "requests", None, None, None)
    bench.record("watch_peak_rss_mb", round(usage.ru_maxrss / 1024.0, 1), "MB", None, None, None)
    bench.record("watch_tasks_judged", len(known), "tasks", None, None, None)
    bench.record("watch_ready_seconds", round(first_cycle - started, 1), "s", None, None, None)

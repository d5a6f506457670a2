#!/usr/bin/env python3
"""flexsync benchmarks: flexsync and its baselines measured in the same run on the same data.

    python3 bench/run.py                 # everything
    python3 bench/run.py apply plan      # only these parts (readers, validate, phones, plan, apply, plan_tasks, watch)

Writes bench-results.json at the repository root: a JSON array of
{"name", "value", "unit", "baseline", "baseline_value", "ratio"}, and prints a table.
Data is generated deterministically into bench/out/ (git-ignored) and reused when present.
"""
import csv
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import time
from base64 import b64encode
from urllib.parse import quote, urlparse

import phones

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
BIN = os.environ.get("FLEXSYNC_BIN_DIR") or os.path.join(ROOT, ".build", "release")
ACCOUNT, TOKEN, WORKSPACE = "AC" + "5" * 32, "bench-token", "WS" + "6" * 32
results = []


def record(name, value, unit, baseline=None, baseline_value=None, ratio=None):
    results.append({"name": name, "value": value, "unit": unit, "baseline": baseline,
                    "baseline_value": baseline_value, "ratio": ratio})


def measured(cmd, env=None, cwd=None):
    """Runs a command; returns (stdout, wall seconds, peak RSS in MB, exit status)."""
    started = time.perf_counter()
    with open(os.path.join(OUT, "last.stdout"), "w+b") as out, open(os.path.join(OUT, "last.stderr"), "w+b") as err:
        process = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 2):
        sys.exit(f"bench: {' '.join(cmd)} exited {code}: {stderr[-2000:]}")
    return stdout, seconds, usage.ru_maxrss / 1024.0, code


def python(code, *args):
    return measured([sys.executable, "-c", code, *args])


# ---------------------------------------------------------------- data

FIRST = ["Ana", "Bo", "Chloé", "Dmitri", "Ewa", "Farid", "Grace", "Hiro", "Inês", "Jonas", "Kofi", "Łukasz", "Mateo", "Zoë"]
LAST = ["Lima", "Chen", "Müller", "Ivanov", "Nowak", "Haddad", "O'Neil", "Tanaka", "García", "Berg", "Weiß", "Ørsted"]
TEAMS = ["Sales 1", "Sales 2", "Billing", "Tech Support", "Retention", "Onboarding, EMEA"]
# Values as long as real HR exports have them (addresses with commas, so quoted): ~205 MB in all.
LOCATIONS = ["Berlin, Friedrichstraße 12", "München, Leopoldstraße 3", "Köln, Domkloster 4"]
TITLES = ["Customer Service Agent", "Senior Customer Service Agent", "Team Lead, Customer Care"]
COST_CENTRES = ["Customer Operations", "Retention & Loyalty", "Technical Support", "Sales Development"]


def generate_csv(path, rows):
    if os.path.exists(path):
        return
    rng = random.Random(42)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["employee_id", "first_name", "last_name", "email", "phone", "department_code", "team", "location",
                         "manager", "hire_date", "status", "job_title", "cost_center", "country", "notes"])
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            note = "Moved from \"Billing\", see ticket\nHR-%d" % i if i % 5000 == 0 else ("Part-time; Mon–Wed" if i % 7 == 0 else "")
            writer.writerow([f"E{i:07d}", first, last, f"{first.lower()}.{i}@contact-centre.example.com", f"030 {5550000 + i % 9999:07d}",
                             rng.choice(["V", "K", "E"]), rng.choice(TEAMS), rng.choice(LOCATIONS),
                             f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"{1 + i % 28:02d}.{1 + i % 12:02d}.{2000 + i % 24}",
                             "aktiv" if i % 50 else "ausgeschieden", rng.choice(TITLES),
                             f"CC-{i % 40:03d} {COST_CENTRES[i % 4]}", "DE", note])


def generate_xml(path, records):
    if os.path.exists(path):
        return
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<wd:Report_Data xmlns:wd="urn:com.workday.report/Bench_Agents">\n')
        for i in range(records):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            team = rng.choice(TEAMS).replace("&", "&amp;")
            handle.write(f""" <wd:Report_Entry>
  <wd:Worker wd:Descriptor="{first} {last.replace("'", "&apos;")}"><wd:ID wd:type="WID">{rng.getrandbits(128):032x}</wd:ID><wd:ID wd:type="Employee_ID">{100000 + i}</wd:ID></wd:Worker>
  <wd:Preferred_Name>{first} {last.replace("'", "&apos;")}</wd:Preferred_Name>
  <wd:Email_Address wd:primary="0">{first.lower()}@home.example.net</wd:Email_Address>
  <wd:Email_Address wd:primary="1">{first.lower()}.{i}@example.com</wd:Email_Address>
  <wd:Phone_-_Primary_Work>+44 20 7946 {i % 10000:04d}</wd:Phone_-_Primary_Work>
  <wd:Location wd:Descriptor="London"/>
  <wd:Worker_s_Manager wd:Descriptor="{rng.choice(FIRST)} {rng.choice(LAST).replace("'", "&apos;")}"/>
  <wd:Job_Profile wd:Descriptor="Agent"/>
  <wd:Active_Status>{0 if i % 40 == 0 else 1}</wd:Active_Status>
  <wd:Supervisory_Organization wd:Descriptor="{team}"><wd:ID wd:type="Organization_Reference_ID">SUP-{i % 60}</wd:ID></wd:Supervisory_Organization>
  <wd:Hire_Date>20{10 + i % 14:02d}-0{1 + i % 9}-1{i % 9}-07:00</wd:Hire_Date>
 </wd:Report_Entry>
""")
        handle.write("</wd:Report_Data>\n")


XML_FIELDS = ["wd:Worker/wd:ID[@wd:type='Employee_ID']", "wd:Preferred_Name", "wd:Email_Address[@wd:primary='1']",
              "wd:Phone_-_Primary_Work", "wd:Location/@wd:Descriptor", "wd:Worker_s_Manager/@wd:Descriptor",
              "wd:Job_Profile/@wd:Descriptor", "wd:Active_Status", "wd:Supervisory_Organization/@wd:Descriptor",
              "wd:Supervisory_Organization/wd:ID[@wd:type='Organization_Reference_ID']", "wd:Hire_Date"]

BASELINE_CSV = """
import csv, sys
rows = 0
with open(sys.argv[1], newline='', encoding='utf-8') as handle:
    for row in csv.reader(handle):
        rows += 1
print(rows - 1)
"""

BASELINE_XML = """
import sys
mode = sys.argv[2]
if mode == 'lxml':
    from lxml import etree
else:
    import xml.etree.ElementTree as etree
NS = '{urn:com.workday.report/Bench_Agents}'
WD = NS[1:-1]
count = 0
for _, entry in etree.iterparse(sys.argv[1], events=('end',), **({'tag': NS + 'Report_Entry'} if mode == 'lxml' else {})):
    if entry.tag != NS + 'Report_Entry':
        continue
    values = []
    for worker_id in entry.find(NS + 'Worker').findall(NS + 'ID'):
        if worker_id.get(NS + 'type') == 'Employee_ID':
            values.append(worker_id.text)
    values.append(entry.findtext(NS + 'Preferred_Name'))
    values += [e.text for e in entry.findall(NS + 'Email_Address') if e.get(NS + 'primary') == '1'][:1]
    values.append(entry.findtext(NS + 'Phone_-_Primary_Work'))
    for tag in ('Location', 'Worker_s_Manager', 'Job_Profile'):
        node = entry.find(NS + tag)
        values.append(node.get(NS + 'Descriptor') if node is not None else None)
    values.append(entry.findtext(NS + 'Active_Status'))
    org = entry.find(NS + 'Supervisory_Organization')
    values.append(org.get(NS + 'Descriptor'))
    values += [e.text for e in org.findall(NS + 'ID') if e.get(NS + 'type') == 'Organization_Reference_ID']
    values.append(entry.findtext(NS + 'Hire_Date'))
    count += 1
    entry.clear()
    if mode == 'lxml':
        while entry.getprevious() is not None:
            del entry.getparent()[0]
print(count)
"""


def read_csv(path):
    """Python csv's data rows of a file, and its seconds."""
    out, seconds, _, _ = python(BASELINE_CSV, path)
    return int(out), seconds


def bench_readers():
    csv_path, xml_path = os.path.join(OUT, "hr-1m.v2.csv"), os.path.join(OUT, "workday-200k.xml")
    generate_csv(csv_path, 1_000_000)
    generate_xml(xml_path, 200_000)
    size_mb = os.path.getsize(csv_path) / 1e6
    out, py_seconds, py_rss, _ = python(BASELINE_CSV, csv_path)
    py_rows = int(out)
    out, seconds, rss, _ = measured([os.path.join(BIN, "flexsync-bench"), "csv", csv_path])
    rows = json.loads(out)["records"]
    assert rows == py_rows, f"flexsync read {rows} rows, Python {py_rows}"
    record("csv_read", round(rows / seconds), "records/s", "python csv", round(py_rows / py_seconds), round(py_seconds / seconds, 2))
    record("csv_read_mb_per_s", round(size_mb / seconds, 1), "MB/s", "python csv", round(size_mb / py_seconds, 1), round(py_seconds / seconds, 2))
    record("csv_peak_rss_mb", round(rss, 1), "MB", "python csv", round(py_rss, 1), round(rss / py_rss, 2))
    baselines = {}
    for mode in ("lxml", "etree"):
        try:
            out, xml_seconds, xml_rss, _ = python(BASELINE_XML, xml_path, mode)
            baselines[mode] = (int(out), xml_seconds, xml_rss)
        except SystemExit as failure:
            print(f"bench: {mode} baseline skipped: {failure}")
    out, seconds, rss, _ = measured([os.path.join(BIN, "flexsync-bench"), "xml", xml_path, "/wd:Report_Data/wd:Report_Entry",
                                     "wd=urn:com.workday.report/*", *XML_FIELDS])
    records = json.loads(out)["records"]
    reference = baselines.get("lxml") or baselines.get("etree")
    name = "lxml iterparse" if "lxml" in baselines else "xml.etree iterparse"
    assert records == reference[0], f"flexsync read {records} records, baseline {reference[0]}"
    record("xml_read", round(records / seconds), "records/s", name, round(reference[0] / reference[1]), round(reference[1] / seconds, 2))
    if "etree" in baselines and "lxml" in baselines:
        etree = baselines["etree"]
        record("xml_read_vs_etree", round(records / seconds), "records/s", "xml.etree iterparse", round(etree[0] / etree[1]), round(etree[1] / seconds, 2))
    record("xml_peak_rss_mb", round(rss, 1), "MB", name, round(reference[2], 1), round(rss / reference[2], 2))
    return csv_path, py_rows / py_seconds


def bench_validate(csv_path, python_rows_per_second):
    directory = os.path.join(OUT, "validate")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "departments.csv"), "w") as handle:
        handle.write("code,name\nV,Vertrieb\nK,Kundenservice\nE,Einkauf\n")
    with open(os.path.join(directory, "mapping.yaml"), "w") as handle:
        handle.write("""target: workers
key: { match: [agent_id] }
skip_when: { field: status, equals: [ausgeschieden] }
attributes:
  agent_id: { field: employee_id, transforms: [trim] }
  full_name: { template: "{first_name} {last_name}", transforms: [collapse_whitespace] }
  email: { field: email, transforms: [email] }
  phone: { field: phone, transforms: [{ phone: { country: DE } }] }
  location: { field: location, transforms: [trim] }
  manager: { field: manager, transforms: [trim] }
  role: { field: job_title, transforms: [trim] }
  state: { const: Active }
  department_id: department_code
  department_name: { field: department_code, transforms: [{ lookup: departments.csv, key: code, value: name }] }
  team_id: { field: team, transforms: [lower, { replace: "[^a-z0-9]+", with: "-" }] }
  team_name: { field: team, transforms: [trim] }
  agent_attribute_1: { field: hire_date, transforms: [{ date: dd.MM.yyyy }, year] }
""")
    with open(os.path.join(directory, "job.yaml"), "w") as handle:
        handle.write(f"""name: bench-validate
mapping: mapping.yaml
source: {{ path: {csv_path}, format: csv }}
taskrouter: {{ workspace_sid: {WORKSPACE} }}
""")
    out, seconds, rss, code = measured([os.path.join(BIN, "flexsync"), "validate", os.path.join(directory, "job.yaml"), "--format", "json"])
    summary = json.loads(out)
    assert summary["rows_read"] == 1_000_000 and summary["invalid"] == 0, {k: summary[k] for k in ("rows_read", "valid", "invalid")}
    record("validate_1m", round(summary["rows_read"] / seconds), "rows/s", "python csv (reading only)",
           round(python_rows_per_second), round(summary["rows_read"] / seconds / python_rows_per_second, 2))
    record("validate_1m_peak_rss_mb", round(rss, 1), "MB", None, None, None)


# ---------------------------------------------------------------- TaskRouter

class Emulator:
    def __init__(self, workers, flags, name, tasks=()):
        self.directory = os.path.join(OUT, name)
        os.makedirs(self.directory, exist_ok=True)
        seed = {"account_sid": ACCOUNT, "auth_token": TOKEN, "workspace_sid": WORKSPACE, "workers": workers, "tasks": list(tasks)}
        with open(os.path.join(self.directory, "seed.json"), "w") as handle:
            json.dump(seed, handle)
        self.log = os.path.join(self.directory, "requests.jsonl")
        self.process = subprocess.Popen([os.path.join(BIN, "taskrouter-emulator"), "--seed", os.path.join(self.directory, "seed.json"),
                                         "--log", self.log, *flags], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.process.stdout.readline().decode().strip()
        assert line.startswith("listening "), line
        self.url = line.split(" ", 1)[1]

    def requests(self):
        with open(self.log) as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()


def fleet(count, changed_every):
    """count workers already synced; every changed_every-th has a stale team in TaskRouter."""
    workers, rows = [], ["id,team_id,team"]
    for i in range(count):
        team = f"T{i % 30}"
        live_team = "T-old" if i % changed_every == 0 else team
        workers.append({"sid": "WK%032x" % (i + 1), "friendly_name": f"agent{i}",
                        "attributes": {"agent_id": str(i), "team_id": live_team, "team_name": f"Team {live_team}",
                                       "contact_uri": f"client:agent{i}", "routing": {"skills": ["sales"], "levels": {"sales": 1}}}})
        rows.append(f"{i},{team},Team {team}")
    return workers, "\n".join(rows) + "\n"


def write_job(directory, export, policies):
    with open(os.path.join(directory, "export.csv"), "w") as handle:
        handle.write(export)
    with open(os.path.join(directory, "mapping.yaml"), "w") as handle:
        handle.write("target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n  team_id: team_id\n  team_name: team\n")
    with open(os.path.join(directory, "job.yaml"), "w") as handle:
        handle.write(f"name: bench\nmapping: mapping.yaml\nsource: {{ path: export.csv, format: csv }}\n"
                     f"taskrouter: {{ workspace_sid: {WORKSPACE} }}\npolicies: {policies}\n")
    return os.path.join(directory, "job.yaml")


def flexsync_env(url):
    env = dict(os.environ)
    env.update({"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN, "FLEXSYNC_BASE_URL": url})
    return env


def bench_plan():
    workers, export = fleet(15_000, 50)   # 2% changed
    emulator = Emulator(workers, [], "plan")
    try:
        job = write_job(emulator.directory, export, "{ max_changed_share: 1, max_key_change_share: 1 }")
        _, seconds, _, code = measured([os.path.join(BIN, "flexsync"), "plan", job, "--out", os.path.join(emulator.directory, "plan.json"),
                                        "--format", "json"], env=flexsync_env(emulator.url), cwd=emulator.directory)
        assert code == 2
        requests = len(emulator.requests())
    finally:
        emulator.stop()
    record("plan_15000_requests_per_worker", round(requests / 15_000, 5), "requests/worker", None, None, None)
    record("plan_15000_seconds", round(seconds, 2), "s", None, None, None)


def bench_apply():
    workers, export = fleet(15_000, 5)   # 3,000 of 15,000 change
    limit = 50
    emulator = Emulator(workers, ["--latency-ms", "100", "--rps", str(limit)], "apply")
    try:
        job = write_job(emulator.directory, export, f"{{ max_changed_share: 0.25, max_key_change_share: 0.25, requests_per_second: {limit}, "
                                                    f"max_requests_per_second: {limit}, concurrency: 16 }}")
        summary_path = os.path.join(emulator.directory, "summary.json")
        _, _, _, code = measured([os.path.join(BIN, "flexsync"), "apply", job, "--yes", "--summary-json", summary_path],
                                 env=flexsync_env(emulator.url), cwd=emulator.directory)
        assert code == 0, open(os.path.join(OUT, "last.stderr")).read()[-2000:]
        with open(summary_path) as handle:
            summary = json.load(handle)
        log = emulator.requests()
        writes = [r for r in log if r["method"] == "POST"]
        pages = [r for r in log if r["method"] == "GET" and r["path"].endswith("/Workers")]
        span = log[-1]["time"] - log[0]["time"]
        achieved = len(log) / span
        # The writes alone, after the last list page (paging is sequential by nature).
        last_page = max(i for i, r in enumerate(log) if r["method"] == "GET" and r["path"].endswith("/Workers"))
        writes_phase = log[last_page + 1:]
        write_rate = len(writes_phase) / (writes_phase[-1]["time"] - writes_phase[0]["time"])
        extra = len(log) - (summary["applied"] + len(pages))
        flexsync_per_change = span / summary["applied"]

        # The baseline: one request at a time, as SDK scripts do (fetch, merge, update), on 200 other workers.
        target = urlparse(emulator.url)
        connection = http.client.HTTPConnection(target.hostname, target.port)
        auth = "Basic " + b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        started = time.perf_counter()
        for i in range(1, 1001, 5):   # indexes 1, 6, 11…: workers flexsync did not change
            path = f"/v1/Workspaces/{WORKSPACE}/Workers/WK{i + 1:032x}"
            connection.request("GET", path, headers={"Authorization": auth})
            attributes = json.loads(json.loads(connection.getresponse().read())["attributes"])
            attributes["agent_attribute_3"] = "bench"
            body = "Attributes=" + quote(json.dumps(attributes, separators=(",", ":")))
            connection.request("POST", path, body=body, headers={"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
        sequential_per_change = (time.perf_counter() - started) / 200
    finally:
        emulator.stop()
    record("apply_rate_ratio", round(achieved / limit, 3), "achieved/limit", None, None, None)
    record("apply_write_phase_rate_ratio", round(write_rate / limit, 3), "achieved/limit", None, None, None)
    record("apply_extra_requests", extra, "requests", None, None, None)
    record("apply_429s", summary["throttled_429"], "responses", None, None, None)
    record("apply_seconds_per_change", round(flexsync_per_change, 4), "s/change", "sequential client", round(sequential_per_change, 4),
           round(sequential_per_change / flexsync_per_change, 2))
    record("apply_vs_sequential", round(sequential_per_change / flexsync_per_change, 2), "x", "sequential client",
           round(sequential_per_change, 4), round(sequential_per_change / flexsync_per_change, 2))


def main():
    os.makedirs(OUT, exist_ok=True)
    for tool in ("flexsync", "flexsync-bench", "taskrouter-emulator"):
        if not os.path.exists(os.path.join(BIN, tool)):
            sys.exit(f"bench: {os.path.join(BIN, tool)} is missing: run 'make release' first")
    started = time.time()
    only = set(sys.argv[1:])
    if not only or "readers" in only or "validate" in only:
        csv_path, python_rate = bench_readers()
        if not only or "validate" in only:
            bench_validate(csv_path, python_rate)
    if not only or "phones" in only:
        phones.bench(record, measured, python, read_csv, OUT, BIN, WORKSPACE)
    if not only or "plan" in only:
        bench_plan()
    if not only or "apply" in only:
        bench_apply()
    import watch_bench   # bench/watch_bench.py: the tasks side
    if not only or "plan_tasks" in only:
        watch_bench.bench_plan_tasks(sys.modules[__name__])
    if not only or "watch" in only:
        watch_bench.bench_watch(sys.modules[__name__])
    path = os.path.join(ROOT, "bench-results.json")
    if only and os.path.exists(path):   # a partial run keeps the other figures of the last run
        with open(path) as handle:
            fresh = {r["name"] for r in results}
            results[:0] = [r for r in json.load(handle) if r["name"] not in fresh]
    with open(path, "w") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    width = max(len(r["name"]) for r in results)
    print(f"\n{'name':<{width}}  {'value':>14}  {'unit':<16} {'baseline':<26} {'baseline value':>14}  {'ratio':>6}")
    for r in results:
        print(f"{r['name']:<{width}}  {str(r['value']):>14}  {r['unit']:<16} {str(r['baseline'] or '-'):<26} "
              f"{str(r['baseline_value'] if r['baseline_value'] is not None else '-'):>14}  {str(r['ratio'] if r['ratio'] is not None else '-'):>6}")
    print(f"\nbench-results.json written ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()

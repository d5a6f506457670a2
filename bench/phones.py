"""Phone benchmarks for bench/run.py: libphonenumber through flexsync's `phone` transform beside
Python's `phonenumbers` (the Python port of the same library), and `validate` over a CRM export
whose every row carries a different phone number.

    phone_e164_per_s      1,000,000 mixed numbers (20 regions, the formats exports write, 2% junk),
                          each read in its row's country and written E.164, on one thread each
    validate_phones_1m    `flexsync validate` over a 1,000,000-row CRM export, against Python
                          merely reading it with csv
"""
import csv
import json
import os
import random

# National and international forms per region; '#' is a random digit.
FORMATS = {
    "US": ["(212) 5##-####", "303.4##.####", "+1 415 6## ####", "1-617-7##-#### x##"],
    "GB": ["020 7946 ####", "07700 9#####", "+44 (0)161 496 ####", "0044 113 496 ####"],
    "DE": ["030 #######", "+49 (0)89 #######", "0171/#######", "0049 40 ########"],
    "FR": ["01 ## ## ## ##", "06.##.##.##.##", "+33 (0)7 ## ## ## ##"],
    "ES": ["91# ### ###", "6## ### ###", "+34 93 ### ## ##"],
    "IT": ["06 #### ####", "3## ### ####", "+39 02 #### ####"],
    "NL": ["020-#######", "06-########"],
    "BR": ["(11) 9####-####", "+55 21 3###-####"],
    "IN": ["098### #####", "+91 80 #### ####"],
    "JP": ["03-####-####", "090-####-####"],
    "AU": ["(02) 9### ####", "04## ### ###"],
    "MX": ["55 #### ####"],
    "PL": ["22 ### ## ##", "5## ### ###"],
    "SE": ["08-### ### ##", "070-### ## ##"],
    "CH": ["044 ### ## ##", "+41 (0)79 ### ## ##"],
    "RU": ["8 (495) ###-##-##", "+7 9## ###-##-##"],
    "ZA": ["021 ### ####", "08# ### ####"],
    "CN": ["010 #### ####", "13# #### ####"],
    "KR": ["02-###-####", "010-####-####"],
    "IE": ["01 ### ####", "+353 (0)87 ### ####"],
}
NAMES = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France", "ES": "Spain", "IT": "Italy",
         "NL": "Netherlands", "BR": "Brazil", "IN": "India", "JP": "Japan", "AU": "Australia", "MX": "Mexico",
         "PL": "Poland", "SE": "Sweden", "CH": "Switzerland", "RU": "Russia", "ZA": "South Africa", "CN": "China",
         "KR": "South Korea", "IE": "Ireland"}
JUNK = ["n/a", "TBD", "4,93056E+11", "000-000-0000", "555-0127"]
REGIONS = sorted(FORMATS)


def number(rng):
    region = rng.choice(REGIONS)
    if rng.random() < 0.02:
        return region, rng.choice(JUNK)
    return region, "".join(str(rng.randrange(10)) if c == "#" else c for c in rng.choice(FORMATS[region]))


def generate_numbers(path, rows):
    if os.path.exists(path):
        return
    rng = random.Random(18)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["country", "phone"])
        for _ in range(rows):
            writer.writerow(number(rng))


def generate_crm(path, rows):
    if os.path.exists(path):
        return
    rng = random.Random(1818)
    first = ["Ana", "Bo", "Chloé", "Dmitri", "Ewa", "Farid", "Grace", "Hiro", "Inês", "Jonas", "Kofi", "Łukasz"]
    last = ["Lima", "Chen", "Müller", "Ivanov", "Nowak", "Haddad", "O'Neil", "Tanaka", "García", "Berg"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["id", "first", "last", "email", "phone", "country", "segment"])
        for i in range(rows):
            region, phone = number(rng)
            # CRM exports name countries as often as they code them.
            country = NAMES[region] if i % 2 else region
            writer.writerow([f"C{i:07d}", rng.choice(first), rng.choice(last), f"customer.{i}@example.org", phone,
                             country, rng.choice(["Gold", "Silver", "Bronze"])])


BASELINE_PHONES = """
import csv, sys
import phonenumbers
rows = accepted = 0
with open(sys.argv[1], newline='', encoding='utf-8') as handle:
    reader = csv.reader(handle)
    next(reader)
    for country, text in reader:
        rows += 1
        try:
            number = phonenumbers.parse(text, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE:
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            accepted += 1
print(rows, accepted)
"""

MAPPING = """target: tasks
key: { match: [customers.external_id] }
attributes:
  customers.external_id: id
  customers.name: { template: "{first} {last}" }
  customers.email: { field: email, transforms: [email] }
  customers.phone: { field: phone, transforms: [{ phone: { country_field: country } }] }
  customers.market_segment: segment
"""


def bench(record, measured, python, read_csv, out, binaries, workspace):
    """Runs both phone benchmarks; `read_csv(path)` gives Python csv's rows and seconds for a file."""
    numbers = os.path.join(out, "phones-1m.csv")
    generate_numbers(numbers, 1_000_000)
    stdout, py_seconds, _, _ = python(BASELINE_PHONES, numbers)
    py_rows, py_accepted = map(int, stdout.split())
    stdout, seconds, _, _ = measured([os.path.join(binaries, "flexsync-bench"), "phones", numbers])
    summary = json.loads(stdout)
    assert summary["records"] == py_rows, (summary, py_rows)
    print(f"phones: flexsync accepted {summary['fields']:,} of {py_rows:,}, phonenumbers {py_accepted:,}")
    record("phone_e164_per_s", round(py_rows / seconds), "numbers/s", "python phonenumbers",
           round(py_rows / py_seconds), round(py_seconds / seconds, 2))

    crm = os.path.join(out, "crm-phones-1m.csv")
    generate_crm(crm, 1_000_000)
    directory = os.path.join(out, "validate-phones")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "mapping.yaml"), "w") as handle:
        handle.write(MAPPING)
    with open(os.path.join(directory, "job.yaml"), "w") as handle:
        handle.write(f"name: bench-validate-phones\nmapping: mapping.yaml\nsource: {{ path: {crm}, format: csv }}\n"
                     f"taskrouter: {{ workspace_sid: {workspace} }}\npolicies: {{ max_invalid_share: 0.05 }}\n")
    csv_rows, csv_seconds = read_csv(crm)
    stdout, seconds, rss, _ = measured([os.path.join(binaries, "flexsync"), "validate",
                                        os.path.join(directory, "job.yaml"), "--format", "json"])
    summary = json.loads(stdout)
    assert summary["rows_read"] == csv_rows, (summary["rows_read"], csv_rows)
    python_rate = csv_rows / csv_seconds
    record("validate_phones_1m", round(csv_rows / seconds), "rows/s", "python csv (reading only)", round(python_rate),
           round(csv_rows / seconds / python_rate, 2))
    record("validate_phones_1m_peak_rss_mb", round(rss, 1), "MB", None, None, None)

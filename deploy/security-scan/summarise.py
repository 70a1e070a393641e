"""Summarise a security scan's reports: ``summarise.py /tmp/security-scan``.

Reads ``wapiti-<scan>.json`` (wapiti's JSON reports), ``sqlmap/<endpoint>/`` (each sqlmap
run's output folder, log and exit status), ``server-access.log`` (gunicorn's access log) and
``server.log`` (the portal's own log). Prints findings by severity and every finding of
medium severity or above.

Exit status: 1 when wapiti reports a vulnerability or anomaly of medium severity or above
or sqlmap finds an injectable parameter; 2 when a scan did not complete (and nothing
worse was found); 0 otherwise. Standard library only.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

LEVELS = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}
MEDIUM = 2
SINGULAR = {"vulnerabilities": "vulnerability", "anomalies": "anomaly"}
TIMED_OUT = {124, 137}  # `timeout` stopped it (TERM, or KILL after --kill-after)
DIGITS = re.compile(r"\d+")
INJECTABLE = re.compile(r"sqlmap identified the following injection point|is vulnerable\b")


def _level(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def wapiti(out: Path) -> tuple[list[str], bool, bool]:
    """Report lines, whether anything is medium or above, whether a scan was incomplete."""
    lines: list[str] = []
    serious: list[str] = []
    minor: dict[str, list[str]] = {}  # low and info findings, with the scans that saw them
    bad = incomplete = False
    reports = sorted(out.glob("wapiti-*.json"))
    if not reports:
        return ["wapiti: no reports found"], False, True
    totals: Counter[str] = Counter()
    for report_file in reports:
        scan = report_file.stem.removeprefix("wapiti-")
        status_file = out / "wapiti" / scan / "exit-status"
        status = int(status_file.read_text()) if status_file.exists() else 0
        note = ""
        if status in TIMED_OUT:
            note, incomplete = " (stopped at its time limit; report from what was stored)", True
        elif status:
            note, incomplete = f" (wapiti exited with {status})", True
        try:
            report = json.loads(report_file.read_text())
        except (OSError, json.JSONDecodeError) as error:
            lines.append(f"wapiti {scan}: unreadable report ({error})")
            incomplete = True
            continue
        counts: Counter[str] = Counter()
        for kind in ("vulnerabilities", "anomalies"):
            for category, found in (report.get(kind) or {}).items():
                for item in found:
                    level = _level(item.get("level"))
                    counts[LEVELS.get(level, str(level))] += 1
                    totals[LEVELS.get(level, str(level))] += 1
                    if level < MEDIUM:
                        what = f"  [{LEVELS.get(level)}] {category}: {item.get('info')}"
                        minor.setdefault(what, []).append(scan)
                    if level >= MEDIUM:
                        bad = True
                        serious.append(
                            f"  [{LEVELS.get(level)}] {scan}: {category} ({SINGULAR[kind]}) "
                            f"{item.get('method')} {item.get('path')}"
                            f"{' parameter ' + item['parameter'] if item.get('parameter') else ''}"
                            f": {item.get('info')}"
                        )
        shown = ", ".join(f"{n} {name}" for name, n in _by_severity(counts)) or "nothing"
        coverage = _coverage(out / "wapiti" / scan / "wapiti.log")
        lines.append(f"wapiti {scan}: {shown}{coverage}{note}")
    shown = ", ".join(f"{n} {name}" for name, n in _by_severity(totals)) or "nothing"
    lines.insert(0, f"wapiti, all scans: {shown}")
    if minor:
        lines.append("wapiti findings below medium severity (distinct):")
        lines += [f"{what} ({', '.join(sorted(set(scans)))})" for what, scans in minor.items()]
    if serious:
        lines.append("wapiti findings of medium severity or above:")
        lines.extend(serious)
    return lines, bad, incomplete


def _coverage(log: Path) -> str:
    """How much the scan saw: URLs and forms found, modules stopped by their time limit."""
    text = log.read_text(errors="replace") if log.exists() else ""
    found = re.search(r"Wapiti found (\d+) URLs and forms", text)
    stopped = sorted(set(re.findall(r"Max attack time was reached for module (\w+)", text)))
    parts = [f"{found[1]} URLs and forms found" if found else ""]
    if "Max scan time was reached" in text:
        parts.append("crawl stopped at its time limit")
    if stopped:
        parts.append("attack time limit reached by " + ", ".join(stopped))
    shown = "; ".join(part for part in parts if part)
    return f" ({shown})" if shown else ""


def _by_severity(counts: Counter[str]) -> list[tuple[str, int]]:
    order = list(LEVELS.values())
    return sorted(counts.items(), key=lambda pair: order.index(pair[0]) if pair[0] in order else 9)


def sqlmap(out: Path) -> tuple[list[str], bool, bool]:
    lines: list[str] = []
    bad = incomplete = False
    runs = sorted(path for path in (out / "sqlmap").glob("*") if path.is_dir())
    if not runs:
        return ["sqlmap: no runs found"], False, True
    for run in runs:
        log = run / "sqlmap.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        status_file = run / "exit-status"
        status = int(status_file.read_text()) if status_file.exists() else -1
        found = []
        for results in run.glob("results-*.csv"):
            with results.open(newline="") as handle:
                found += [row for row in csv.DictReader(handle) if row.get("Parameter")]
        tested = re.findall(r"testing for SQL injection on (\w+) parameter '([^']+)'", text)
        params = ", ".join(f"{place} {name}" for place, name in dict.fromkeys(tested)) or "none"
        if found or INJECTABLE.search(text):
            bad = True
            where = "; ".join(
                f"{row.get('Place')} {row.get('Parameter')} ({row.get('Technique(s)')})"
                for row in found
            )
            lines.append(f"sqlmap {run.name}: INJECTABLE {where or '(see sqlmap.log)'}")
        elif text.startswith("not run:"):
            incomplete = True
            lines.append(f"sqlmap {run.name}: {text.strip()}")
        elif status in TIMED_OUT:
            incomplete = True
            lines.append(f"sqlmap {run.name}: stopped at its time limit; tested {params}")
        elif "all tested parameters do not appear to be injectable" in text:
            lines.append(f"sqlmap {run.name}: no injection (tested {params})")
        else:
            incomplete = True
            last = [line for line in text.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line]
            lines.append(
                f"sqlmap {run.name}: did not complete (exit {status}) "
                f"{last[-1] if last else ''}".rstrip()
            )
    return lines, bad, incomplete


def server_errors(out: Path) -> list[str]:
    """5xx answers in the access log: crashes the scanners' input caused, worth a look."""
    log = out / "server-access.log"
    if not log.exists():
        return []
    errors: Counter[str] = Counter()
    total = 0
    request = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^ ?"]*)[^"]*" (?P<status>\d{3}) ')
    for line in log.read_text(errors="replace").splitlines():
        match = request.search(line)
        if not match:
            continue
        total += 1
        if match["status"].startswith("5"):
            errors[f"{match['status']} {match['method']} {match['path']}"] += 1
    lines = [f"server: {total} requests, {sum(errors.values())} answered 5xx"]
    lines += [f"  {count} x {what}" for what, count in errors.most_common(15)]
    app_log = out / "server.log"
    if app_log.exists():
        record = re.compile(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) \[[^\]]*\] (.*)$")
        logged: Counter[str] = Counter()
        for line in app_log.read_text(errors="replace").splitlines():
            if found := record.match(line):
                message = DIGITS.sub("N", found[2])[:150]  # "round 1", "round 2": one line
                logged[f"{found[1]} {message}"] += 1
        lines.append(f"server log: {sum(logged.values())} warnings or errors (server.log)")
        lines += [f"  {count} x {what}" for what, count in logged.most_common(10)]
    return lines


def main() -> int:
    if len(sys.argv) != 2:
        sys.exit("usage: summarise.py REPORT_FOLDER (run.sh's, /tmp/security-scan by default)")
    out = Path(sys.argv[1])
    wapiti_lines, wapiti_bad, wapiti_incomplete = wapiti(out)
    sqlmap_lines, sqlmap_bad, sqlmap_incomplete = sqlmap(out)
    for line in wapiti_lines + sqlmap_lines + server_errors(out):
        print(line)
    if wapiti_bad or sqlmap_bad:
        print("RESULT: findings of medium severity or above, or an injection: see above.")
        return 1
    if wapiti_incomplete or sqlmap_incomplete:
        print("RESULT: nothing of medium severity or above, but a scan did not complete.")
        return 2
    print("RESULT: no findings of medium severity or above; sqlmap found no injection.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

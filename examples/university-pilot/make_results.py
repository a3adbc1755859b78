#!/usr/bin/env python3
"""Writes pilot-results.csv: the MADE-UP end-of-semester results of the 300 students of
students.csv, as a university would export them (student ID, the end-of-semester CEFR level,
whether the student withdrew). No real student is in it.

They are one simulated semester of pilot.yaml with the pilot stream's flipped classroom at a
practice effectiveness of 1.8 (the 'true' value the calibration in docs/COHORTS.md is asked to
find), read from blendsim's --trace at the last week. Deterministic:

    python3 make_results.py path/to/blendsim
"""
import csv, os, re, subprocess, sys, tempfile

TRUE_PRACTICE_EFFECTIVENESS = "1.8"
blendsim = sys.argv[1] if len(sys.argv) > 1 else "blendsim"
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "pilot.yaml"), encoding="utf-8") as f:
    scenario = f.read()
scenario = re.sub(r"practice_effectiveness: [0-9.]+\}", "practice_effectiveness: " + TRUE_PRACTICE_EFFECTIVENESS + "}", scenario)
scenario = scenario.replace("seed: 20260901", "seed: 4242").replace("replications: 30", "replications: 1")
assert TRUE_PRACTICE_EFFECTIVENESS in scenario
with tempfile.TemporaryDirectory() as tmp:
    truth = os.path.join(here, ".truth.yaml")
    with open(truth, "w", encoding="utf-8") as f:
        f.write(scenario)
    try:
        subprocess.run([blendsim, "run", truth, "--quiet", "--out", os.path.join(tmp, "out"), "--trace", os.path.join(tmp, "trace.csv")],
                       check=True, stdout=subprocess.DEVNULL)
    finally:
        os.remove(truth)
    last = {}
    with open(os.path.join(tmp, "trace.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["week"] == "15":
                last[(row["group"], int(row["student"]))] = row

with open(os.path.join(here, "students.csv"), encoding="utf-8-sig") as f:
    students = list(csv.DictReader(f, delimiter=";"))
index = {"control": 1, "pilot": 1}  # the trace numbers students from 1
bands = ["A1", "A2", "B1", "B2", "C1", "C2"]
with open(os.path.join(here, "pilot-results.csv"), "w", encoding="utf-8-sig", newline="") as f:
    f.write("student_id;end_level;withdrew\r\n")
    for student in students:
        group = student["stream"]
        row = last[(group, index[group])]
        index[group] += 1
        if row["active"] == "0":
            f.write(f"{student['student_id']};;да\r\n")
            continue
        overall = sum(float(row[s]) for s in ("listening", "reading", "writing", "speaking")) / 4
        band = bands[max(0, min(5, int((overall - 100) // 20)))] if overall >= 100 else "A1"
        f.write(f"{student['student_id']};{band};нет\r\n")

#!/usr/bin/env python3
"""Writes students.csv: a MADE-UP placement-test export of 300 first-year students of English
at a fictional Kazakh university, in the shape such an export takes (Excel in a Russian or Kazakh
locale: UTF-8 with a byte-order mark, ';' separators, CRLF line ends, decimal commas, labels as
the placement test prints them, some survey answers left blank). No real student is in it.

Deterministic: the same file every time (python3 generate_students.py).
"""
import random

rng = random.Random(20260901)
# Placement levels in roughly the seed paper's proportions (Table 1: 68/22/10).
levels = ["Elementary"] * 6 + ["Pre-Intermediate"] * 62 + ["Intermediate"] * 22 + ["Upper-Intermediate"] * 10
rows = []
for n in range(1, 301):
    stream = "control" if n % 2 else "pilot"   # alternate enrolment: 150 per stream
    level = rng.choice(levels)
    pc = "да" if rng.random() < 0.8 else "нет"
    internet = min(5, max(1, round(rng.gauss(3.6, 1.0))))
    motivation = min(5.0, max(1.0, rng.gauss(3.2, 0.6)))
    regulation = min(5.0, max(1.0, rng.gauss(3.0, 0.6)))
    # About 1 in 12 left the questionnaire blank: those traits are drawn from the population.
    blank = rng.random() < 1 / 12
    rows.append([
        f"KZ-{2026000 + n}", stream, level, pc, "" if blank else str(internet),
        "" if blank else f"{motivation:.1f}".replace(".", ","), "" if blank else f"{regulation:.1f}".replace(".", ","),
    ])
header = ["student_id", "stream", "placement_level", "has_pc", "internet_at_home", "motivation_q", "self_regulation_q"]
with open("students.csv", "w", encoding="utf-8-sig", newline="") as f:
    for row in [header] + rows:
        f.write(";".join(row) + "\r\n")

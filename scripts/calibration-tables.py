#!/usr/bin/env python3
"""The tables of docs/CALIBRATION.md's "What the calibrated model says", from the shipped defaults
and posterior: every model against classroom teaching (g with its 95% CI and 90% credible
interval, withdrawal, what its effect rests on), withdrawal by online share, and the online
penalty by starting level and self-regulation.

    scripts/calibration-tables.py [path/to/blendsim]      (default .build/release/blendsim)

It runs the scenarios of scenarios/studies/ into a temporary directory and prints Markdown.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLENDSIM = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/blendsim")
STUDIES = os.path.join(ROOT, "scenarios/studies")


def run(*arguments):
    subprocess.run([BLENDSIM, *arguments, "--quiet", "--force"], check=True, cwd=ROOT)


def load(directory):
    with open(os.path.join(directory, "summary.json"), encoding="utf-8") as handle:
        return json.load(handle)


def fmt(x, digits=2):
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", "−") if x < 0 else text


def main():
    work = tempfile.mkdtemp()
    plain, uncertain = os.path.join(work, "plain"), os.path.join(work, "uncertain")
    scenario = os.path.join(STUDIES, "models-against-classroom.yaml")
    run("run", scenario, "--out", plain)
    run("run", scenario, "--uncertainty", "model", "--out", uncertain)
    summary, model_summary = load(plain), load(uncertain)
    basis = {item["name"]: item for item in summary["evidence"] if item["kind"] == "model"}
    labels = {"findings": "findings: ", "distribution": "the blended distribution", "derived": "no study; derived from ", "assumption": "assumption"}

    # The 90% credible interval of g: with --uncertainty model every replication draws its
    # parameters from the posterior, so g's spread over the replications is the evidence's
    # uncertainty and the students' chance together; summary.json keeps g's mean and sd over
    # replications, and the interval is mean ± 1.645 sd (a normal approximation).
    print("| model | online | g [95% CI] | g, 90% credible interval (--uncertainty model) | withdrawal | what its effect rests on |")
    print("|---|---|---|---|---|---|")
    groups = {g["name"]: g for g in summary["groups"]}
    gains = {g["group"]: g for g in summary["gains"]}
    model_gains = {g["group"]: g for g in model_summary["gains"]}
    for name, group in groups.items():
        withdrawal = group["rates"]["dropout_share"]["mean"]
        item = basis[group["model"]]
        rests = labels[item["basis"]]
        if item["basis"] in ("findings", "derived"):
            rests += ", ".join(item["findings"])
        if name not in gains:
            print(f"| {name} | {round(group['online_share'] * 100)}% | 0 (the baseline) | — | {fmt(withdrawal * 100, 1)}% | {rests} |")
            continue
        g = gains[name]["course_achievement"]["hedges_g"]
        u = model_gains[name]["course_achievement"]["hedges_g"]
        low, high = u["mean"] - 1.645 * u["sd"], u["mean"] + 1.645 * u["sd"]
        print(f"| {name} | {round(group['online_share'] * 100)}% | {fmt(g['mean'])} [{fmt(g['ci95'][0])}, {fmt(g['ci95'][1])}] | "
              f"{fmt(u['mean'])} [{fmt(low)}, {fmt(high)}] | {fmt(withdrawal * 100, 1)}% | {rests} |")
    print()

    sweep = os.path.join(work, "sweep")
    run("sweep", os.path.join(STUDIES, "withdrawal-by-online-share.yaml"), "--out", sweep)
    points = load(sweep)["points"]
    names = [g["name"] for g in points[0]["groups"]]
    print("| online share | " + " | ".join(f"{n}: withdrawal [95% CI]" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for point in points:
        cells = []
        for group in point["groups"]:
            rate = group["rates"]["dropout_share"]
            cells.append(f"{fmt(rate['mean'] * 100, 1)}% [{fmt(rate['ci95'][0] * 100, 1)}, {fmt(rate['ci95'][1] * 100, 1)}]")
        print(f"| {round(point['settings']['online_share'] * 100)}% | " + " | ".join(cells) + " |")
    print()

    penalty = os.path.join(work, "penalty")
    run("compare", os.path.join(STUDIES, "online-penalty.yaml"), "--out", penalty)
    comparison = load(penalty)
    students = {g["name"]: g["students"] for g in comparison["variants"][0]["groups"]}
    print("| students | course achievement online − classroom [95% CI] (g) | withdrawal online − classroom, points [95% CI] |")
    print("|---|---|---|")
    for name in students:
        rows = {c["outcome"]: c for c in comparison["comparisons"] if c["group"] == name}
        course = rows["course_achievement"]
        dropouts = rows["dropouts"]["per_100_students"]
        print(f"| {name} | {fmt(course['difference']['mean'], 1)} [{fmt(course['difference']['ci95'][0], 1)}, {fmt(course['difference']['ci95'][1], 1)}] "
              f"({fmt(course['hedges_g']['mean'])}) | {fmt(dropouts['mean'], 1)} [{fmt(dropouts['ci95'][0], 1)}, {fmt(dropouts['ci95'][1], 1)}] |")


main()

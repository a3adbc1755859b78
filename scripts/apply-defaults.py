#!/usr/bin/env python3
"""Writes a calibrated fragment's values into the compiled-in defaults.

    scripts/apply-defaults.py scenarios/evidence-defaults.yaml

blendsim's defaults are literals in the code: kernel parameters in
Sources/BlendSimCore/Kernel/KernelParameters.swift (`public var camelCase = VALUE`) and plugin
parameters in Plugins/*/*/*.swift (`var camelCase: Double = VALUE` after the plugin's `name`).
The test `shippedDefaultsAreTheEvidenceCalibrationsOutput` checks that they equal the fragment;
this script makes them so. It reads only the fragment's three mappings of plain numbers.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def camel(key):
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def read_fragment(path):
    tables = {"kernel": {}, "model_defaults": {}, "policy_defaults": {}}
    table = component = None
    for raw in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        key, _, value = raw.strip().partition(":")
        value = value.strip()
        if indent == 0:
            if key not in tables:
                sys.exit(f"{path}: unexpected top-level key '{key}'")
            table, component = key, None
        elif table == "kernel" and indent == 2:
            tables["kernel"][key] = value
        elif indent == 2:
            component = key
            tables[table][component] = {}
        elif indent == 4 and component is not None:
            tables[table][component][key] = value
        else:
            sys.exit(f"{path}: cannot read line '{raw}'")
    for table_values in [tables["kernel"]] + [v for t in ("model_defaults", "policy_defaults") for v in tables[t].values()]:
        for key, value in table_values.items():
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?", value):
                sys.exit(f"{path}: {key} is not a plain number: {value!r}")
    return tables


def replace_once(text, pattern, value, what):
    found = list(re.finditer(pattern, text, flags=re.M))
    if len(found) != 1:
        sys.exit(f"{what}: found {len(found)} declarations")
    match = found[0]
    return text[: match.start(1)] + value + text[match.end(1):]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: apply-defaults.py FRAGMENT")
    tables = read_fragment(sys.argv[1])
    kernel = ROOT / "Sources/BlendSimCore/Kernel/KernelParameters.swift"
    text = kernel.read_text(encoding="utf-8")
    # The catalog names each key's property: .init(key: "course_prior_sd", keyPath: \.coursePriorSD, …
    properties = dict(re.findall(r'\.init\(key: "([a-z_]+)", keyPath: \\\.([A-Za-z]+)', text))
    for key, value in tables["kernel"].items():
        if key not in properties:
            sys.exit(f"kernel.{key}: not in KernelParameters.catalog")
        text = replace_once(text, rf"^    public var {properties[key]} = ([-0-9.e]+)$", value, f"kernel.{key}")
    kernel.write_text(text, encoding="utf-8")
    sources = list((ROOT / "Plugins").glob("*/*/*.swift"))
    for table in ("model_defaults", "policy_defaults"):
        for component, values in tables[table].items():
            owners = [p for p in sources if re.search(rf'static let name = "{re.escape(component)}"', p.read_text(encoding="utf-8"))]
            if len(owners) != 1:
                sys.exit(f"{table}.{component}: {len(owners)} plugin sources declare it")
            text = owners[0].read_text(encoding="utf-8")
            for key, value in values.items():
                text = replace_once(text, rf"^        var {camel(key)}: Double = ([-0-9.e]+)$", value, f"{table}.{component}.{key}")
            owners[0].write_text(text, encoding="utf-8")
    print("applied", sys.argv[1])


main()

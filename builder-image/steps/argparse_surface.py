#!/usr/bin/env python3
"""The argparse surface of a step script, for the planner's conformance tests.

  argparse_surface.py SCRIPT           prints {flag: {type, required, choices, default}} as JSON
  argparse_surface.py SCRIPT --parse   reads a JSON list of argv lists (flags only) on stdin and
                                       prints, per argv, null (accepted) or argparse's error
"""
import contextlib
import importlib.util
import io
import json
import sys


def load(path):
    spec = importlib.util.spec_from_file_location("step_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def surface(parser):
    out = {}
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        kind = "flag" if action.nargs == 0 else "choice" if action.choices else {int: "int", float: "float"}.get(action.type, "str")
        spec = {"type": kind}
        if action.required:
            spec["required"] = True
        else:
            spec["default"] = action.default
        if action.choices:
            spec["choices"] = list(action.choices)
        out[action.option_strings[0]] = spec
    return out


def parse_all(parser, argvs):
    results = []
    for argv in argvs:
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                parser.parse_args(argv)
            results.append(None)
        except SystemExit:
            results.append(err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else "rejected")
    return results


def main():
    module = load(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "--parse":
        print(json.dumps(parse_all(module.build_parser(), json.load(sys.stdin))))
    else:
        print(json.dumps(surface(module.build_parser()), sort_keys=True))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Sums test cases over meson test logs and prints `N passed, N failed`.

doctest binaries report `[doctest] test cases: T | P passed | F failed | S skipped`; any
other test counts as one case, passed or failed by its meson result. Exit 1 on any failure.
"""
import json
import re
import sys

DOCTEST = re.compile(r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed")


def main(paths):
    passed = failed = 0
    for path in paths:
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                ok = rec.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
                m = DOCTEST.findall(rec.get("stdout", "") or "")
                if m:
                    _, p, fl = map(int, m[-1])
                    passed += p
                    failed += fl
                    if not ok and fl == 0:
                        failed += 1  # crashed after reporting, or a sanitizer failed it
                elif ok:
                    passed += 1
                else:
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

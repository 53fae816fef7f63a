#!/usr/bin/env python3
"""Lists C functions longer than a limit (default 120 lines), longest first.

usage: scripts/longfuncs.py [--limit N] [FILE_OR_DIR ...]
A function is a top-level '{' ... '}' block whose opening line follows a
declarator ending in ')'; good enough for this tree's formatting
(.clang-format puts a function's brace on a line of its own)."""
import os
import re
import sys


STRINGS = re.compile(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'')


def functions(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i] == "{" and i > 0:
            j = i - 1
            head = lines[j]
            while j > 0 and not re.search(r"\w+\s*\(", head):
                j -= 1
                head = lines[j] + head
            m = re.search(r"(\w+)\s*\(", head)
            depth, k = 0, i
            while k < len(lines):
                code = STRINGS.sub('""', lines[k].split("//")[0])
                depth += code.count("{") - code.count("}")
                if depth == 0:
                    break
                k += 1
            if m:
                yield m.group(1), j + 1, k - j + 1
            i = k
        i += 1


def main(argv):
    limit = 120
    if argv[:1] == ["--limit"]:
        limit, argv = int(argv[1]), argv[2:]
    roots = argv or ["base", "cli", "compiler", "prover", "checker", "runtime", "stdlib", "services"]
    found = []
    for root in roots:
        if not os.path.exists(root):
            continue
        paths = [root] if os.path.isfile(root) else [
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".c")]
        for p in paths:
            for name, line, n in functions(p):
                if n > limit:
                    found.append((n, p, line, name))
    for n, p, line, name in sorted(found, reverse=True):
        print(f"{n:5d}  {p}:{line}  {name}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

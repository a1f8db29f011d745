#!/usr/bin/python3
"""Prints the longest functions of the repository's C++ sources.

Usage: tools/function_lengths.py [--max N] [--top K] [paths...]

A function's length is the number of lines from the first line of its
signature to its closing brace, both included. The scanner removes comments,
string and character literals (raw strings too) and preprocessor lines, then
matches braces: a brace opens a function body when the text before it (since
the last ';', '{' or '}' at the same level) has a parameter list and is not a
namespace, class, struct, union or enum head; braces inside a function body
(lambdas, local classes) belong to that function. Paths default to every
.cc/.h/.cpp/.hpp file that git tracks. With --max N the exit status is 1 when
a function is longer than N lines (all of them are printed).
"""

import argparse
import os
import re
import subprocess
import sys

_QUALIFIERS = re.compile(
    r"^(\s|const\b|noexcept(\([^)]*\))?|override\b|final\b|mutable\b|try\b|&|"
    r"volatile\b)*(->.*|requires\b.*)?$", re.S)
_SCOPE_HEAD = re.compile(r"\b(namespace|class|struct|union|enum|extern)\b")
_IDENT_END = re.compile(r"[A-Za-z0-9_>]\s*$")


def strip_code(text):
    """Returns `text` with comments, literals and preprocessor lines blanked.

    Every removed character other than a newline becomes a space, so offsets
    and line numbers are kept.
    """
    out = list(text)
    i, n = 0, len(text)
    line_start = True

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            j = i
            while j < n:
                if text[j] == "\n" and text[j - 1] != "\\":
                    break
                j += 1
            # A comment inside the directive may hide the newline; keep simple.
            blank(i, j)
            i = j
            continue
        line_start = False
        if c == "\n":
            line_start = True
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (
                i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
                or text[i - 1] in "u8LU"):
            paren = text.find("(", i + 2)
            delim = text[i + 2:paren]
            end = text.find(")" + delim + '"', paren)
            end = n if end < 0 else end + len(delim) + 2
            blank(i + 1, end)
            i = end
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum() and (
                    i + 1 < n and text[i + 1].isalnum()):
                i += 1  # digit separator: 1'000'000
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _last_top_level_close(header):
    depth = 0
    last = -1
    for k, ch in enumerate(header):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0 and ch == ")":
                last = k
    return last


def _has_init_colon(tail):
    return re.search(r"(?<!:):(?!:)", tail) is not None


def _classify(header):
    """Returns 'function', 'scope', 'init' (a brace inside a constructor's
    initialiser list) or 'other' for the text before an opening brace."""
    head = header.strip()
    paren = head.find("(")
    scope_match = _SCOPE_HEAD.search(head)
    if scope_match and (paren < 0 or scope_match.start() < paren):
        # `enum class E : int {`, `struct S {`, `namespace n {`, but a
        # function returning `struct S` has its parentheses after the name.
        if paren < 0 or "=" in head[:paren] or head.rstrip().endswith(
                tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789>")):
            return "scope"
    if paren < 0:
        return "other"
    close = _last_top_level_close(head)
    if close < 0:
        return "other"
    tail = head[close + 1:]
    if _has_init_colon(tail.split("->")[0]):
        return "init" if _IDENT_END.search(tail) else "function"
    if _QUALIFIERS.match(tail):
        before = head[:paren].rstrip()
        if before.endswith("=") and not before.endswith("operator="):
            return "other"  # `x = f(...) {` cannot be; `= T(...)` init
        return "function"
    return "other"


def _name(header):
    head = " ".join(header.split())
    paren = head.find("(")
    before = head[:paren]
    if before.endswith("operator"):
        paren = head.find("(", paren + 2)
        before = head[:paren]
    tokens = before.replace("*", " ").replace("&", " ").split()
    name = tokens[-1] if tokens else head[:40]
    if name.endswith("]"):
        name = "lambda"
    if name.startswith("TEST") and paren >= 0:  # TEST(Suite, Name): the whole macro call
        close = head.find(")", paren)
        name = head[head.rfind(" ", 0, paren) + 1:close + 1]
    return name


def functions(path):
    """Yields (start_line, end_line, name) for each function body of `path`."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    code = strip_code(text)
    line_of = []
    line = 1
    for ch in code:
        line_of.append(line)
        if ch == "\n":
            line += 1
    stack = []  # kinds of the open braces outside function bodies
    header_start = 0
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "{":
            header = code[header_start:i]
            kind = _classify(header)
            if kind == "function":
                depth, j = 1, i + 1
                while j < n and depth:
                    if code[j] == "{":
                        depth += 1
                    elif code[j] == "}":
                        depth -= 1
                    j += 1
                offset = len(header) - len(header.lstrip())
                start = line_of[header_start + offset] if header.strip() else line_of[i]
                yield start, line_of[j - 1], _name(header)
                i = j
                header_start = j
                continue
            stack.append(kind)
            if kind in ("scope",):
                header_start = i + 1
        elif c == "}":
            kind = stack.pop() if stack else "scope"
            if kind == "scope":
                header_start = i + 1
        elif c == ";" and (not stack or stack[-1] == "scope"):
            header_start = i + 1
        elif c == ":" and (not stack or stack[-1] == "scope"):
            # Access specifiers: `public:` ends a class member's header.
            word = re.search(r"\b(public|private|protected)\s*$", code[header_start:i])
            if word and not code.startswith("::", i) and code[i - 1] != ":":
                header_start = i + 1
        i += 1


_SUFFIXES = (".cc", ".h", ".cpp", ".hpp")


def tracked_sources():
    """The C++ files git tracks here; outside a git checkout, every C++ file below this folder except
    those of build trees (a folder holding CMakeCache.txt) and hidden folders."""
    try:
        out = subprocess.run(["git", "ls-files"] + ["*" + s for s in _SUFFIXES],
                             capture_output=True, text=True, check=True)
        return [p for p in out.stdout.split("\n") if p]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for root, dirs, files in os.walk("."):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and
                             not os.path.exists(os.path.join(root, d, "CMakeCache.txt")))
            found += [os.path.relpath(os.path.join(root, f)) for f in sorted(files) if f.endswith(_SUFFIXES)]
        return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max", type=int, default=None,
                        help="exit 1 when a function is longer than this")
    parser.add_argument("--top", type=int, default=20,
                        help="how many functions to print (default 20)")
    parser.add_argument("--exclude", action="append", default=[],
                        help="a path prefix to leave out (repeatable)")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    paths = args.paths or tracked_sources()
    found = []
    for path in paths:
        if any(path.startswith(prefix) for prefix in args.exclude):
            continue
        if os.path.isfile(path):
            for start, end, name in functions(path):
                found.append((end - start + 1, path, start, name))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    over = [f for f in found if args.max is not None and f[0] > args.max]
    shown = found[:args.top] if not over else over
    for length, path, start, name in shown:
        print(f"{length:5d}  {path}:{start}  {name}")
    if over:
        print(f"{len(over)} function(s) over {args.max} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

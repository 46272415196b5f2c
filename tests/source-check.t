#!/usr/bin/env python3
"""
source-check.t — a small source check printing TAP (after curl's checksrc and banned-function list).

Scans the C sources (*.c, *.h) under bot/ handlers/ storage/ tests/unit/ tests/fuzz/ and the top level:
  1. banned functions: sprintf vsprintf strcpy strcat strncpy strtok atoi atol atoll gets, as whole
     words followed by "(" outside comments and string literals (snprintf, vsnprintf, fgets,
     strtok_r do not match);
  2. no trailing whitespace;
  3. layering: only bot/ includes curl/, cJSON and libwebsockets.h;
  4. layering: only storage/ includes sqlite3.h;
  5. money is integer kopecks: no "double" or "float" in the money code: every file of the billing
     block, handlers/billing/ and storage/billing/ (outside comments and string literals);
  6. layering: storage/ includes the runtime's small shared header bot/base.h, never bot/bot.h;
  7. no product source file (bot/, handlers/, storage/) is longer than MAX_LINES lines: split it by noun.
The layering checks apply to the program's code (bot/, handlers/, storage/, the top level); tests/
may include what it needs to inspect. Test 0 plants violations in memory to show each check can fail.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ["bot", "handlers", "storage", os.path.join("tests", "unit"), os.path.join("tests", "fuzz")]
BANNED = ["sprintf", "vsprintf", "strcpy", "strcat", "strncpy", "strtok", "atoi", "atol", "atoll", "gets"]
BANNED_RE = re.compile(r"(?<![A-Za-z0-9_])(%s)\s*\(" % "|".join(BANNED))
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
ONLY_BOT_RE = re.compile(r"^(curl/|cjson/|cJSON\.h$|cJSON_Utils\.h$|libwebsockets\.h$|libwebsockets/|lws_)", re.I)
ONLY_STORAGE_RE = re.compile(r"^sqlite3(ext)?\.h$")
NO_FLOAT_DIRS = (os.path.join("handlers", "billing"), os.path.join("storage", "billing"))
MAX_LINES = 800
FLOAT_RE = re.compile(r"(?<![A-Za-z0-9_])(double|float)(?![A-Za-z0-9_])")


def strip_c(text):
    """Blanks comments and string/char literals, keeping line structure (newlines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_text(rel, text):
    """Returns {check: [diagnostics]} for one file's text."""
    found = {"banned": [], "trailing": [], "bot-only": [], "storage-only": [], "no-float": [],
             "storage-runtime": [], "length": []}
    top = rel.split(os.sep)[0]
    product = top in ("bot", "handlers", "storage") or os.sep not in rel
    money = os.path.dirname(rel) in NO_FLOAT_DIRS
    nlines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if top in ("bot", "handlers", "storage") and nlines > MAX_LINES:
        found["length"].append("%s: %d lines (at most %d: split it by noun)" % (rel, nlines, MAX_LINES))
    for no, line in enumerate(strip_c(text).split("\n"), 1):
        for m in BANNED_RE.finditer(line):
            found["banned"].append("%s:%d: banned function %s()" % (rel, no, m.group(1)))
        if money:
            for m in FLOAT_RE.finditer(line):
                found["no-float"].append("%s:%d: %s in money code" % (rel, no, m.group(1)))
    for no, line in enumerate(text.split("\n"), 1):
        if line.rstrip("\r") != line.rstrip("\r").rstrip(" \t"):
            found["trailing"].append("%s:%d: trailing whitespace" % (rel, no))
        m = INCLUDE_RE.match(line)
        if m and product:
            inc = m.group(1)
            if ONLY_BOT_RE.match(inc) and top != "bot":
                found["bot-only"].append("%s:%d: includes <%s> (only bot/ may)" % (rel, no, inc))
            if ONLY_STORAGE_RE.match(inc) and top != "storage":
                found["storage-only"].append("%s:%d: includes <%s> (only storage/ may)" % (rel, no, inc))
            if top == "storage" and inc == "bot/bot.h":
                found["storage-runtime"].append("%s:%d: includes bot/bot.h (storage/ may include bot/base.h only)"
                                                % (rel, no))
    return found


def files():
    out = []
    for d in DIRS:
        base = os.path.join(ROOT, d)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(x for x in dirnames if not x.startswith("."))
            for f in sorted(filenames):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    for f in sorted(os.listdir(ROOT)):
        if f.endswith((".c", ".h")) and os.path.isfile(os.path.join(ROOT, f)):
            out.append(f)
    return out


def self_test():
    """The checks must catch planted violations and pass clean code."""
    bad = check_text(os.path.join("handlers", "billing", "money.c"),
                     '#include <curl/curl.h>\n#include <sqlite3.h>\nint f(void) {  \n'
                     '\tchar b[8]; sprintf(b, "%d", 1); strcpy (b, "a"); return atoi(b) + gets(b);\n}\n'
                     'static double half(long x) { return x / 2.0; }\n')
    good = check_text(os.path.join("bot", "y.c"),
                      '#include <curl/curl.h>\n/* sprintf(x) is banned */\n'
                      'int g(void) { char b[8]; snprintf(b, 8, "atoi(%s)", "strcpy("); '
                      'return vsnprintf(b, 8, "x", 0) + fgets(b, 8, 0) + my_atoi(b) + strtok_r(b, 0, 0); }\n'
                      'static double ratio(void) { return 0.5; }\n')
    bad_storage = check_text(os.path.join("storage", "billing", "x.c"),
                             '#include "bot/bot.h"\n' + "int x;\n" * (MAX_LINES + 1))
    good_storage = check_text(os.path.join("storage", "y.c"), '#include "bot/base.h"\n' + "int y;\n" * (MAX_LINES - 1))
    good_money = check_text(os.path.join("handlers", "billing", "pricing.c"),
                            '/* no double here */ int64_t f(int64_t floats, int64_t double_) '
                            '{ return floats + double_ + (int64_t)sizeof "float"; }\n')
    want = {"banned": 4, "trailing": 1, "bot-only": 1, "storage-only": 1, "no-float": 1,
            "storage-runtime": 1, "length": 1}
    got_bad = {k: len(v) for k, v in found_items(bad)}
    for k, v in found_items(bad_storage):
        got_bad[k] += len(v)
    got_good = {k: len(v) for k, v in found_items(good)}
    got_good.update({"storage " + k: len(v) for k, v in found_items(good_storage) if v})
    got_good.update({"money " + k: len(v) for k, v in found_items(good_money) if v})
    return got_bad == want and all(v == 0 for v in got_good.values()), got_bad, got_good


def found_items(found):
    return sorted(found.items())


def main():
    names = {"banned": "no banned functions (sprintf, strcpy, strcat, strncpy, strtok, atoi, gets, ...)",
             "trailing": "no trailing whitespace",
             "bot-only": "only bot/ includes curl, cJSON and libwebsockets headers",
             "storage-only": "only storage/ includes sqlite3.h",
             "no-float": "no double or float in the billing block's code (handlers/billing/, storage/billing/)",
             "storage-runtime": "storage/ includes bot/base.h, never the runtime's bot/bot.h",
             "length": "no source file in bot/, handlers/, storage/ over %d lines" % MAX_LINES}
    all_found = {k: [] for k in names}
    fl = files()
    for rel in fl:
        try:
            with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError as e:
            all_found["banned"].append("%s: cannot read: %s" % (rel, e))
            continue
        for k, v in check_text(rel, text).items():
            all_found[k].extend(v)
    # the money folders renamed away would silently leave the check: each must hold code
    for d in NO_FLOAT_DIRS:
        if not any(os.path.dirname(rel) == d for rel in fl):
            all_found["no-float"].append("%s/: the billing block's folder holds no code" % d)

    print("1..%d" % (1 + len(names)))
    failed = 0
    good, got_bad, got_good = self_test()
    print("%sok 1 - the checks catch planted violations and pass clean code" % ("" if good else "not "))
    if not good:
        failed += 1
        print("#   planted: %r\n#   clean: %r" % (got_bad, got_good))
    print("# %d C files checked" % len(fl))
    for i, k in enumerate(names, 2):
        bad = all_found[k]
        print("%sok %d - %s" % ("not " if bad else "", i, names[k]))
        for d in bad[:200]:
            print("#   " + d)
        if len(bad) > 200:
            print("#   ... and %d more" % (len(bad) - 200))
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

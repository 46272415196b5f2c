#!/usr/bin/env python3
"""
layout.t — the README's Layout section matches the tree, printing TAP.

  1. every path the section names in backquotes exists: a folder or file relative to the root
     (`handlers/billing/`), a pattern with * or xx matching at least one (`tests/unit/billing_*.c`,
     `tests/integration/2xx-*.t`), or a bare file name found somewhere under bot/ handlers/
     storage/ tests/ (`plan_list.c`); names with <placeholders> are the recipe for new blocks;
  2. every block folder under handlers/ and storage/ is a row of the section's table;
  3. every demo file bot/demo/demo_<block>.c is named in the section.
Test 1 plants a stale README and a new folder in memory to show each check can fail.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK_RE = re.compile(r"`([^`\s]+)`")
ROW_RE = re.compile(r"^\|(.*)\|\s*$")
SEARCH = ("bot", "handlers", "storage", "tests")


def section(readme):
    """The text of the README's Layout section (its title underlined with dashes)."""
    m = re.search(r"^Layout\n-+\n(.*?)(?=^\S[^\n]*\n[-=]+\n|\Z)", readme, re.S | re.M)
    return m.group(1) if m else ""


def looks_like_path(tok):
    return "/" in tok or re.search(r"\.(c|h|t|py)$", tok) is not None


def exists(tok, root):
    if "<" in tok:
        return True
    if "*" in tok or "xx" in tok:
        return bool(glob.glob(os.path.join(root, tok.replace("xx", "[0-9][0-9]"))))
    if "/" in tok:
        return os.path.exists(os.path.join(root, tok.rstrip("/")))
    for top in SEARCH:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            if tok in files:
                return True
    return False


def check(readme, root):
    """Returns (missing paths, block folders not in the table, demo files not named)."""
    text = section(readme)
    toks = [t for t in TICK_RE.findall(text) if looks_like_path(t)]
    missing = sorted(set(t for t in toks if not exists(t, root)))
    table = " ".join(m.group(1) for m in map(ROW_RE.match, text.split("\n")) if m)
    in_table = set(TICK_RE.findall(table))
    unlisted = []
    for layer in ("handlers", "storage"):
        base = os.path.join(root, layer)
        for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            if os.path.isdir(os.path.join(base, d)) and "%s/%s/" % (layer, d) not in in_table:
                unlisted.append("%s/%s/" % (layer, d))
    named = set(toks)
    demos = [os.path.relpath(f, root) for f in sorted(glob.glob(os.path.join(root, "bot", "demo", "demo_*.c")))]
    # demo_billing_story.c is demo_billing.c's other half
    unnamed = [f for f in demos if f not in named and not any(
        f.startswith(n[:-2] + "_") for n in named if n.startswith("bot/demo/demo_") and n.endswith(".c"))]
    return missing, unlisted, unnamed


def self_test():
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        for d in ("handlers/partners", "handlers/support", "storage/partners", "bot/demo", "tests/unit"):
            os.makedirs(os.path.join(t, d))
        for f in ("bot/demo/demo_partners.c", "bot/demo/demo_support.c", "tests/unit/partners_store.c",
                  "handlers/partners/partner_card.c"):
            open(os.path.join(t, f), "w").close()
        good = ("Layout\n------\n\n| block | handlers | storage |\n|---|---|---|\n"
                "| partners | `handlers/partners/` | `storage/partners/` `bot/demo/demo_partners.c` |\n"
                "| support | `handlers/support/` | `bot/demo/demo_support.c` `tests/unit/partners_*.c` |\n\n"
                "`partner_card.c`, `handlers/<block>/`.\n\nNext\n----\n`gone/`\n")
        stale = good.replace("`partner_card.c`", "`partner_view.c` `tests/integration/1xx-*.t`")
        new_folder = good.replace("| support | `handlers/support/` | `bot/demo/demo_support.c`", "| support | |")
        ok_good = check(good, t) == ([], [], [])
        m, _, _ = check(stale, t)
        ok_stale = m == ["partner_view.c", "tests/integration/1xx-*.t"]
        _, u, n = check(new_folder, t)
        ok_new = u == ["handlers/support/"] and n == ["bot/demo/demo_support.c"]
        return ok_good and ok_stale and ok_new


def main():
    with open(os.path.join(ROOT, "README"), encoding="utf-8") as fh:
        readme = fh.read()
    print("1..4")
    ok = self_test()
    print("%sok 1 - the checks catch a stale README and an unlisted folder" % ("" if ok else "not "))
    failed = 0 if ok else 1
    missing, unlisted, unnamed = check(readme, ROOT)
    if not section(readme):
        missing = ["(the README has no Layout section)"]
    for i, (name, bad) in enumerate((
            ("every path the Layout section names exists", missing),
            ("every block folder under handlers/ and storage/ is in the Layout table", unlisted),
            ("every bot/demo/demo_<block>.c is named in the Layout section", unnamed)), 2):
        print("%sok %d - %s" % ("not " if bad else "", i, name))
        for b in bad:
            print("#   %s" % b)
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

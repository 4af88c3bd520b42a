#!/usr/bin/env python3
"""Help and man page agree on placeholders (SPEC §13.5; tests/cli/man_pages.sh).

  man_placeholders.py PAGE.1 < HELP-TEXT

Every option --help shows with a placeholder (`--out FILE`) must show the same placeholder
wherever the page's SYNOPSIS or an OPTIONS tag (the line after .TP) gives that option one, and
at least once. Prints one line per disagreement; exit 1 if any.
"""
import re
import sys

PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*(\.[a-z]+)?$")


def help_placeholders(text):
    """{--name: PLACEHOLDER} for every option line of CLI11's help ("  --a, --b FILE  Desc")."""
    out, aliases = {}, set()
    for line in text.splitlines():
        m = re.match(r"^\s+((?:-[a-z], )?--[a-z0-9-]+(?:, --[a-z0-9-]+)*)(?: ([A-Z][A-Z0-9]*)(?::\S*)?)?(?:\s|$)", line)
        if not m:
            continue
        p = m.group(2) if m.group(2) not in (None, "REQUIRED") else ""
        names = re.findall(r"--[a-z0-9-]+", m.group(1))
        for name in names:
            out[name] = p
        aliases.update(names[1:])
    return out, aliases


def plain(line):
    line = line.replace("\\-", "-").replace("\\&", "").replace("\\%", "")
    return re.sub(r"\\f[BIRP]", " ", line)


def tokens(line):
    """The words of a macro line, quotes and synopsis punctuation dropped."""
    line = re.sub(r"^\.[A-Z]+\b", "", plain(line))
    words = []
    for w in re.split(r'[\s"]+', line):
        w = w.strip("[]()|,;:.") if not re.match(r"^[A-Z]+\.[a-z]+$", w) else w
        w = re.sub(r"\.\.\.$", "", w).rstrip("]")
        if w:
            words.append(w)
    return words


def page_placeholders(roff):
    """[(--name, PLACEHOLDER)] as the page writes them in SYNOPSIS and in OPTIONS tags."""
    found, section, synopsis_words = [], "", []
    lines = roff.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            section = line[3:].strip().strip('"')
            continue
        if section == "SYNOPSIS" and line.startswith("."):
            synopsis_words += tokens(line)
        elif (i > 0 and lines[i - 1].startswith(".TP") and line.startswith(".")) or line.startswith(".BI "):
            words = tokens(line)
            for a, b in zip(words, words[1:]):
                if a.startswith("--") and PLACEHOLDER.match(b):
                    found.append((a, b))
    for a, b in zip(synopsis_words, synopsis_words[1:]):
        if a.startswith("--") and PLACEHOLDER.match(b):
            found.append((a, b))
    return found


def main():
    page = sys.argv[1]
    want, aliases = help_placeholders(sys.stdin.read())
    got = page_placeholders(open(page, encoding="utf-8").read())
    bad = 0
    for name, p in sorted(want.items()):
        if not p:
            continue
        shown = [b for a, b in got if a == name]
        wrong = sorted(set(b for b in shown if b != p))
        if wrong:
            print(f"{page}: {name}: --help says {p}, the page says {', '.join(wrong)}")
            bad += 1
        elif not shown and name not in aliases:  # an alias is named in its option's text
            print(f"{page}: {name}: --help says {name} {p}; the page never shows {name} with a placeholder")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

# Every tool has a man page (SPEC §11) that documents every long option its --help lists with the
# same placeholder (SPEC §13.5) and the exit codes of SPEC §8, and --version names the tool. Tools whose binary is not built are skipped;
# a built tool without a page fails.
source "$SRC/tests/lib.sh"

# The page's text with roff's escaped hyphens (\-) made plain, for grep.
page_text() { sed 's/\\-/-/g; s/\\%//g; s/\\&//g' "$1"; }

tools=0
for dir in "$SRC"/tools/*/; do
  tool=$(basename "$dir")
  [ -f "$dir/main.cpp" ] || continue
  if [ ! -x "$BIN/$tool" ]; then
    echo "skip $tool: $BIN/$tool is not built"
    continue
  fi
  tools=$((tools + 1))
  page="$SRC/man/$tool.1"
  if [ ! -f "$page" ]; then
    fail "$tool: man page man/$tool.1 is missing"
    continue
  fi
  pass
  text=$(page_text "$page")

  # --help: exit 0, and each long option it prints appears in the page as a whole option name
  help=$("$BIN/$tool" --help 2>&1)
  rc=$?
  [ "$rc" -eq 0 ] && pass || fail "$tool --help: exit $rc"
  opts=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
  [ -n "$opts" ] && pass || fail "$tool --help lists no long options"
  for opt in $opts; do
    if grep -qE -- "(^|[^a-z0-9-])${opt}([^a-z0-9-]|\$)" <<<"$text"; then
      pass
    else
      fail "$tool: man/$tool.1 does not document $opt"
    fi
  done

  # The placeholders agree: `--out FILE` in --help is `--out FILE` in SYNOPSIS and OPTIONS (SPEC §13.5).
  if command -v python3 >/dev/null 2>&1; then
    if diffs=$(python3 "$SRC/tests/man_placeholders.py" "$page" <<<"$help"); then
      pass
    else
      fail "$tool: --help and man/$tool.1 disagree on placeholders:"$'\n'"$diffs"
    fi
  fi

  # EXIT STATUS section: codes 0, 2, 3, 4, 5 each as an item (".B 0", ".TP" tag "10, 11, 12", ...)
  exit_section=$(awk '/^\.SH +"?EXIT STATUS"?/ { on = 1; next } /^\.SH/ { on = 0 } on' <<<"$text")
  if [ -z "$exit_section" ]; then
    fail "$tool: man/$tool.1 has no EXIT STATUS section"
  else
    for code in 0 2 3 4 5; do
      if grep -qE "^(\.[A-Z]+ +)?\"?([0-9]+, *)*${code}([ ,\"]|\$)" <<<"$exit_section"; then
        pass
      else
        fail "$tool: EXIT STATUS of man/$tool.1 does not list code $code"
      fi
    done
  fi

  # --version: exit 0 and the tool's name
  version=$("$BIN/$tool" --version 2>&1)
  rc=$?
  [ "$rc" -eq 0 ] && pass || fail "$tool --version: exit $rc"
  grep -qF -- "$tool" <<<"$version" && pass || fail "$tool --version does not name the tool: '$version'"

  # The page renders without troff warnings (where man-db/groff is installed).
  if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] && pass || fail "$tool: man/$tool.1 renders with warnings: $warnings"
  fi
done
[ "$tools" -gt 0 ] && pass || fail "no built tool found in $BIN for $SRC/tools/*/main.cpp"
finish

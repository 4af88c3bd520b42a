# scripts/bootstrap fails when the build fails (issue 9): it filters ninja's progress lines
# through grep, and that filter must never hide the compiler's exit status, or a broken tree
# would "pass" and the stale binaries of an earlier build would be tested.
# Not a second build of the project: a scratch copy of the source tree whose core header no
# longer compiles (every translation unit includes it, so the first compile step fails), a
# build dir configured in $T, and a stale executable left where bootstrap looks for its result.
source "$SRC/tests/lib.sh"

command -v cmake >/dev/null && command -v ninja >/dev/null || { echo "skip: cmake/ninja not installed"; exit 77; }

# The tree as checked out (tracked + new, not ignored files), or all of it but build dirs.
mkdir -p "$T/src"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$T/src" 2>/dev/null)
else
  (cd "$SRC" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$T/src"
fi
[ -x "$T/src/scripts/bootstrap" ] && [ -f "$T/src/lib/include/onboard/core/core.h" ] && pass ||
  { fail "scratch copy of $SRC is incomplete"; finish; }

# Baseline: the unbroken scratch tree configures (so the failure below is the compile's).
B="$T/build"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if cmake -S "$T/src" -B "$B" -G Ninja "${launcher[@]}" >"$T/configure.log" 2>&1; then pass; else
  fail "the scratch tree does not configure: $(tail -5 "$T/configure.log")"; finish
fi

# Break the core header; leave a stale "tool" where bootstrap checks for its result.
echo '#error deliberately broken by tests/cli/bootstrap_fails.sh' >>"$T/src/lib/include/onboard/core/core.h"
mkdir -p "$B/bin"
printf '#!/bin/sh\necho stale\n' >"$B/bin/mint-idevid"
chmod +x "$B/bin/mint-idevid"

BUILD_DIR="$B" "$T/src/scripts/bootstrap" >"$T/bootstrap.out" 2>&1
RC=$?
ERR=$(tail -20 "$T/bootstrap.out")
[ "$RC" -ne 0 ] && pass || fail "scripts/bootstrap exited 0 on a tree that does not compile: $ERR"
grep -q 'deliberately broken' "$T/bootstrap.out" && pass ||
  fail "bootstrap's output does not show the compiler error: $ERR"
# Still quiet: ninja's [n/N] progress lines are filtered out.
grep -qE '^\[[0-9]+/[0-9]+\] ' "$T/bootstrap.out" && fail "bootstrap printed ninja progress lines" || pass

# Same for the ASan stage's and the fuzzer's build commands: they share the one filter.
for s in test fuzz; do
  grep -qE "cmake --build [^|]*\| *grep[^|]*\|\| *true" "$SRC/scripts/$s" && fail "scripts/$s still masks its build's status" || pass
  grep -q 'quiet_build' "$SRC/scripts/$s" && pass || fail "scripts/$s does not build through quiet_build"
done
finish

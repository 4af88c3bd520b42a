# Install and package (issue 9): `cmake --install --prefix` and the Debian package from
# `cpack -G DEB` each put the tools, man pages, templates and bash completion files where they
# belong, and the installed tools run from there: --version (with the OpenSSL in use and the key
# backends), the man pages through man -M, completion of each tool's flags. The package's
# Depends line comes from dpkg-shlibdeps and names libssl3.
source "$SRC/tests/lib.sh"

BUILD=$(cd "$BIN/.." && pwd)
[ -f "$BUILD/cmake_install.cmake" ] || { echo "skip: $BUILD is not a CMake build dir"; exit 77; }
tools=()
for d in "$SRC"/tools/*/; do [ -f "$d/main.cpp" ] && tools+=("$(basename "$d")"); done
[ ${#tools[@]} -gt 0 ] && pass || fail "no tools in $SRC/tools"

# check_root ROOT WHAT: the tree under ROOT/usr holds everything and it works from there.
check_root() {
  local root=$1 what=$2 usr=$1/usr tool
  for tool in "${tools[@]}"; do
    [ -x "$usr/bin/$tool" ] && pass || { fail "$what: bin/$tool missing"; continue; }
    [ -f "$usr/share/man/man1/$tool.1" ] && pass || fail "$what: share/man/man1/$tool.1 missing"
    local comp=$usr/share/bash-completion/completions/$tool
    [ -f "$comp" ] && pass || { fail "$what: completion file for $tool missing"; continue; }
    # The installed binary runs and names its version, the OpenSSL in use and the key backends.
    run_installed "$usr/bin/$tool" --version
    expect_rc 0 "$what: $tool --version"
    expect_out "^$tool \(ua-onboard\) [0-9]+\.[0-9]+\.[0-9]+" "$what: $tool --version names tool and version"
    expect_out "OpenSSL 3\.[0-9]+" "$what: $tool --version names the OpenSSL version"
    expect_out "key backends: file, pkcs11 \(libp11 [0-9.]+\), tpm2 \(tpm2-openssl" "$what: $tool --version lists the key backends"
    # The completion completes every long flag --help lists, and a flag prefix to that flag.
    local help flags flag got
    help=$("$usr/bin/$tool" --help)
    flags=$(grep -oE '^  (-[a-z],)?--[a-z0-9-]+' <<<"$help" | grep -oE -- '--[a-z0-9-]+' | sort -u)
    local missing
    missing=$(complete_each "$comp" "$tool" $flags)
    [ -n "$flags" ] && [ -z "$missing" ] && pass || fail "$what: completing $tool does not offer: $missing"
  done
  [ -f "$usr/share/man/man7/onboard-keys.7" ] && pass || fail "$what: share/man/man7/onboard-keys.7 missing"
  for f in devices.csv device-ticket.yaml composite.yaml; do
    [ -f "$usr/share/ua-onboard/$f" ] && pass || fail "$what: template share/ua-onboard/$f missing"
  done
  # man finds the installed page in this tree (and only there: -M replaces the search path).
  if command -v man >/dev/null; then
    local page
    page=$(MANWIDTH=80 man -M "$usr/share/man" mint-idevid 2>&1)
    if grep -q 'mint-idevid' <<<"$page" && grep -q -- '--product-instance-uri' <<<"$page"; then pass; else
      fail "$what: man -M $usr/share/man mint-idevid: $(head -3 <<<"$page")"
    fi
    page=$(MANWIDTH=80 man -M "$usr/share/man" 7 onboard-keys 2>&1)
    grep -q 'pkcs11' <<<"$page" && pass || fail "$what: man -M ... 7 onboard-keys: $(head -3 <<<"$page")"
  else
    fail "man is not installed (scripts/bootstrap installs man-db)"
  fi
}
run_installed() {
  "$@" >"$T/.out" 2>"$T/.err"
  RC=$?
  OUT=$(cat "$T/.out")
  ERR=$(cat "$T/.err")
}
# complete_each FILE TOOL FLAG...: prints each FLAG that `TOOL <FLAG minus its last letter><TAB>`
# does not offer (one bash for all of them).
complete_each() {
  bash -c 'source "$1"; tool=$2; shift 2
           fn=$(complete -p "$tool" | sed -E "s/.*-F ([^ ]+) .*/\1/")
           for flag; do
             COMP_WORDS=("$tool" "${flag%?}"); COMP_CWORD=1; COMPREPLY=()
             "$fn" "$tool" "${flag%?}" "$tool"
             printf "%s\n" "${COMPREPLY[@]}" | grep -qxF -- "$flag" || echo "$flag"
           done' _ "$@" 2>&1
}

# 1. cmake --install into a scratch prefix.
if cmake --install "$BUILD" --prefix "$T/inst/usr" >"$T/install.log" 2>&1; then pass; else
  fail "cmake --install failed: $(tail -5 "$T/install.log")"
fi
check_root "$T/inst" "cmake --install"
# After an option that takes a value, file names are offered (after a flag, nothing special).
mkdir -p "$T/cwd" && touch "$T/cwd/root-ca.pem"
got=$(cd "$T/cwd" && bash -c 'source "$1"; COMP_WORDS=(create-authority --out r); COMP_CWORD=2; _ua_onboard_create_authority; printf "%s\n" "${COMPREPLY[@]}"' \
  _ "$T/inst/usr/share/bash-completion/completions/create-authority" 2>&1)
expect_eq "$got" "root-ca.pem" "completing create-authority --out r offers the file root-ca.pem"

# 2. The Debian package, built by cpack outside the build dir, unpacked with dpkg -x.
if ! command -v dpkg-shlibdeps >/dev/null; then
  fail "dpkg-shlibdeps missing (scripts/bootstrap installs dpkg-dev)"
  finish
fi
if cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1; then pass; else
  fail "cpack -G DEB failed: $(tail -10 "$T/cpack.log")"
  finish
fi
version=$(sed -nE 's/^set\(CPACK_PACKAGE_VERSION "([^"]+)"\)/\1/p' "$BUILD/CPackConfig.cmake")
deb="$T/pkg/ua-onboard_${version}_$(dpkg --print-architecture).deb"
expect_file "$deb" "cpack names the package ua-onboard_<version>_<arch>.deb (have: $(ls "$T/pkg"))"
depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] && pass || fail "the package has no Depends line"
grep -qE '(^|, )libssl3( |,|$)' <<<"$depends" && pass || fail "Depends does not name libssl3: $depends"
grep -q 'tpm2-openssl' <<<"$(dpkg-deb -f "$deb" Recommends)" && pass || fail "Recommends does not name tpm2-openssl"
grep -q 'softhsm2' <<<"$(dpkg-deb -f "$deb" Suggests)" && pass || fail "Suggests does not name softhsm2"
dpkg-deb -x "$deb" "$T/deb" && pass || fail "dpkg-deb -x failed"
check_root "$T/deb" "the .deb"
finish

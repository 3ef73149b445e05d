#!/usr/bin/env bash
# The Debian package (issue 23 §2), as CI checks it:
#   1. dpkg-buildpackage -us -uc (source and binary) in a fresh copy of the tree (the files git
#      tracks plus the untracked ones it does not ignore: no configure, no build folder);
#   2. lintian on the .changes (the source and the .deb): any E: or W: fails (an override needs
#      its reason beside it in debian/);
#   3. the .deb's files (dpkg-deb -c) are exactly what `make install` installs (the list
#      tests/install/run.sh starts the stack from), with the systemd units in /lib/systemd/system,
#      plus only the Debian files listed below; every template, static file and SQL file of the
#      source is in it, the programs are executable;
#   4. installed and purged with dpkg in a scratch root (when run as root): the callboard user
#      (sysusers.d), www-data in its group, its folders (tmpfiles.d), nothing left but those;
#   5. systemd-analyze verify: the worker and one socket + service instance per program, against
#      the unpacked package (each instance's ExecStart must be one of the installed programs).
#
#   tests/install/package.sh          (./run test calls it)
#
# Environment: CB_BUILD_DIR, a configured build whose `make install` is the reference
# [<repo>/build]. Logs stay in $CB_BUILD_DIR/package-test/. Exit status: 0 passed, 1 failed,
# 77 skipped (dpkg-buildpackage is not installed: scripts/install-deps.sh --test installs it).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=$(realpath -m -- "${CB_BUILD_DIR:-$REPO/build}")
LOGS=$BUILD/package-test
JOBS=$(nproc 2>/dev/null || echo 2)
FAILED=0

say() { printf 'package: %s\n' "$*"; }
bad() { say "FAIL: $*"; FAILED=1; }

if ! command -v dpkg-buildpackage >/dev/null 2>&1; then
    say "SKIPPED: dpkg-buildpackage not found (apt-get install dpkg-dev debhelper lintian)"
    exit 77
fi
for tool in dh lintian; do
    command -v "$tool" >/dev/null 2>&1 || { bad "$tool not found (scripts/install-deps.sh --test)"; exit 1; }
done

rm -rf "$LOGS"
mkdir -p "$LOGS"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/callboard-package.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
t0=$SECONDS

# --- 1. build from a clean copy ---------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
SRC=$TMP/callboard-$version
mkdir "$SRC"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$REPO" ls-files -z --cached --others --exclude-standard |
        tar -C "$REPO" --null -T - -cf - | tar -C "$SRC" -xf -
else    # a release tarball: everything but what a build makes
    tar -C "$REPO" --exclude=./build --exclude='./build-*' --exclude=./var \
        --exclude=node_modules -cf - . | tar -C "$SRC" -xf -
fi
upstream=$(sed -n 's/^AC_INIT(\[callboard\], \[\([^]]*\)\].*/\1/p' "$REPO/configure.ac")
[ "$version" = "$upstream" ] ||
    bad "debian/changelog's version $version is not configure.ac's $upstream (add a changelog entry)"

# nocheck: the unit tests ran on the test build already; noddebs: no -dbgsym package to write.
say "dpkg-buildpackage -us -uc (log: $LOGS/build.log)"
if ! (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=$JOBS" \
        DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc) >"$LOGS/build.log" 2>&1; then
    tail -30 "$LOGS/build.log"
    bad "dpkg-buildpackage failed"
    exit 1
fi
say "built in $((SECONDS - t0)) s"
changes=$(ls "$TMP"/callboard_*.changes)
deb=$(ls "$TMP"/callboard_*_*.deb)

# --- 2. lintian ---------------------------------------------------------------------------------
t1=$SECONDS
# (No --show-overrides: lintian 2.116 then exits 2 on an overridden error.)
if lintian --fail-on error,warning "$changes" >"$LOGS/lintian.txt" 2>&1 &&
    ! grep -q '^[EW]: ' "$LOGS/lintian.txt"; then
    say "lintian: no errors or warnings ($((SECONDS - t1)) s)"
else
    grep -E '^[EWO]: |^[a-z].*(error|not found)' "$LOGS/lintian.txt" || tail -5 "$LOGS/lintian.txt"
    bad "lintian reported errors or warnings ($LOGS/lintian.txt)"
fi

# Every override says why, in a comment line right above it.
while IFS= read -r f; do
    unexplained=$(awk '/^[^#[:space:]]/ && prev !~ /^#/ { print FILENAME ":" FNR ": " $0 } { prev = $0 }' "$f")
    [ -z "$unexplained" ] || bad "lintian override without a reason above it: $unexplained"
done < <(find "$SRC/debian" -name '*lintian-overrides')

# --- 3. contents against make install -------------------------------------------------------
dpkg-deb -c "$deb" >"$LOGS/contents.txt"
# Files and symlinks, as absolute paths ("./usr/bin/x" -> "/usr/bin/x", symlink targets cut).
awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' "$LOGS/contents.txt" | sort >"$TMP/deb.list"

say "reference: make install DESTDIR=... from $BUILD"
make -C "$BUILD" -s -j"$JOBS" >"$LOGS/make.log" 2>&1 &&
    make -C "$BUILD" -s install DESTDIR="$TMP/ref" >>"$LOGS/make.log" 2>&1 ||
    { tail -20 "$LOGS/make.log"; bad "make install in $BUILD failed"; exit 1; }
eval "$(make -s -C "$BUILD" --no-print-directory print-install-dirs)"
# Each installed folder of that build, as the package's path (debian/rules' configure flags).
(cd "$TMP/ref" && find . \( -type f -o -type l \) | sed 's/^\.//') |
    awk -v sd="$pkgdatadir/systemd/" -v lx="$pkglibexecdir/" -v pd="$pkgdatadir/" \
        -v bn="$bindir/" -v cf="$cbconfdir/" -v lc="$localedir/" '
    function map(from, to) { if (index($0, from) == 1) { print to substr($0, length(from) + 1); return 1 } return 0 }
    { if (!(map(sd, "/lib/systemd/system/") || map(lx, "/usr/libexec/callboard/") ||
            map(pd, "/usr/share/callboard/") || map(bn, "/usr/bin/") || map(cf, "/etc/callboard/") ||
            map(lc, "/usr/share/locale/")))
          print "not in a known folder: " $0 }' | sort >"$TMP/ref.list"
# What only the package has, each for a reason: Debian's docs, the manual page debian/rules
# makes, and the user and folders its maintainer scripts create.
debian_only='^/usr/share/doc/callboard/(changelog\.gz|copyright|install\.md(\.gz)?)$|^/usr/share/man/man1/callboard\.1\.gz$|^/usr/lib/(sysusers|tmpfiles)\.d/callboard\.conf$'
missing=$(comm -23 "$TMP/ref.list" "$TMP/deb.list")
extra=$(comm -13 "$TMP/ref.list" "$TMP/deb.list" | grep -Ev "$debian_only" || true)
[ -z "$missing" ] || bad "make install has files the .deb lacks:"$'\n'"$missing"
[ -z "$extra" ] || bad "the .deb has files make install does not (debian/ or the list above):"$'\n'"$extra"
for want in /usr/share/man/man1/callboard.1.gz /usr/lib/sysusers.d/callboard.conf \
    /usr/lib/tmpfiles.d/callboard.conf /usr/share/doc/callboard/copyright; do
    grep -qx "$want" "$TMP/deb.list" || bad "the .deb lacks $want"
done
# The source's data, whatever Makefile.am lists (as tests/install/installed.test.js checks).
for d in templates static sql; do
    while IFS= read -r f; do
        grep -qxF "/usr/share/callboard/$f" "$TMP/deb.list" || bad "the .deb lacks $f"
    done < <(cd "$SRC" && find "$d" -type f | sort)
done
programs=$(grep -c '^/usr/libexec/callboard/callboard-' "$TMP/deb.list" || true)
[ "$programs" -ge 13 ] || bad "only $programs programs in /usr/libexec/callboard"
notexec=$(awk '$6 ~ /^\.\/usr\/(libexec\/callboard|bin)\/./ && $1 != "-rwxr-xr-x" { print $6 }' "$LOGS/contents.txt")
[ -z "$notexec" ] || bad "programs without mode 0755: $notexec"
say "contents: $(wc -l <"$TMP/deb.list") files, $programs programs; same as make install but $(comm -13 "$TMP/ref.list" "$TMP/deb.list" | wc -l) Debian files"

# --- 4. the user and its folders ------------------------------------------------------------
dpkg-deb -e "$deb" "$TMP/control"
grep -q 'systemd-sysusers.* callboard\.conf' "$TMP/control/postinst" ||
    bad "postinst does not run systemd-sysusers (dh-sequence-installsysusers in debian/control)"
grep -q 'systemd-tmpfiles.*--create callboard\.conf' "$TMP/control/postinst" ||
    bad "postinst does not run systemd-tmpfiles --create"
if grep -Eq 'mysql|mariadb|callboard +(--config [^ ]+ +)?migrate' "$TMP/control/"{preinst,postinst,prerm,postrm} 2>/dev/null; then
    bad "a maintainer script touches the database (the admin's step)"
fi
dpkg-deb -x "$deb" "$TMP/root"
# Installed and purged for real, in a scratch root: dpkg runs the maintainer scripts outside it
# with DPKG_ROOT set, which every snippet honours (systemctl is skipped there), so this host is
# not touched. --force-depends: the libraries are this host's, not the scratch root's.
if [ "$(id -u)" -eq 0 ] && command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
    R=$TMP/dpkgroot
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
    touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
    cp /etc/passwd /etc/group "$R/etc/"      # www-data comes from base-passwd
    dpkg_root=(dpkg --root="$R" --force-script-chrootless --force-depends)
    "${dpkg_root[@]}" -i "$deb" >"$LOGS/dpkg.log" 2>&1 || bad "dpkg -i failed ($LOGS/dpkg.log)"
    # The scripts' helpers report some failures without failing (|| true): read the result.
    ! grep -Ei 'failed|error' "$LOGS/dpkg.log" || bad "dpkg -i reported errors ($LOGS/dpkg.log)"
    uid=$(awk -F: '$1 == "callboard" && $6 == "/var/lib/callboard" && $7 ~ /nologin$/ { print $3 }' "$R/etc/passwd")
    [ -n "$uid" ] || bad "no system user callboard (home /var/lib/callboard, no login shell)"
    grep -Eq '^callboard:x:[0-9]+:(.*,)?www-data(,|$)' "$R/etc/group" ||
        bad "www-data is not in the group callboard (nginx sends the recordings)"
    for d in /var/lib/callboard /var/lib/callboard/spool /var/lib/callboard/recordings; do
        got=$(stat -c '%a %u' "$R$d" 2>/dev/null || echo missing)
        [ "$got" = "750 ${uid:-?}" ] || bad "$d: $got, not mode 750 owned by callboard"
    done
    dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Conffiles}\n' callboard |
        grep -q '^ /etc/callboard/callboard.conf.sample ' || bad "the sample configuration is not a conffile"
    "${dpkg_root[@]}" --purge callboard >>"$LOGS/dpkg.log" 2>&1 || bad "dpkg --purge failed ($LOGS/dpkg.log)"
    # Left after purge: the user database with the user (Debian keeps system users) and its data
    # folders, nothing else.
    left=$(cd "$R" && find . -mindepth 1 ! -type d ! -path './var/lib/dpkg/*' \
        ! -regex '\./etc/\(passwd\|group\|shadow\|gshadow\|\.pwd\.lock\)-?' | sed 's/^\.//')
    [ -z "$left" ] || bad "left behind by dpkg --purge: $left"
    say "dpkg -i and --purge in a scratch root: user callboard, www-data in its group, 3 folders 0750"
else
    say "not installed in a scratch root (needs root and systemd-sysusers)"
fi

# --- 5. systemd units ---------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1 && [ -d /lib/systemd/system ]; then
    # systemd's own units (sockets.target, ...) beside the package's, in the unpacked root.
    mkdir -p "$TMP/root/usr/lib/systemd"
    cp -a /lib/systemd/system "$TMP/root/usr/lib/systemd/"
    units=(callboard-worker.service callboard-worker@example.service)
    for p in "$TMP/root/usr/libexec/callboard/"callboard-*; do
        name=${p##*/callboard-}
        [ "$name" = worker ] || units+=("callboard@$name.socket" "callboard@$name.service")
    done
    # verify exits 0 on unknown keys, printing them: any output is a finding.
    out=$(systemd-analyze verify --root="$TMP/root" "${units[@]}" 2>&1) || true
    if [ -n "$out" ]; then
        printf '%s\n' "$out" | tee "$LOGS/systemd-verify.txt"
        bad "systemd-analyze verify reported problems"
    else
        say "systemd-analyze verify: ${#units[@]} units clean"
    fi
else
    say "systemd-analyze not found: units not verified"
fi

say "took $((SECONDS - t0)) s"
[ "$FAILED" -eq 0 ] && say "ok" || say "FAILED (logs in $LOGS)"
exit "$FAILED"

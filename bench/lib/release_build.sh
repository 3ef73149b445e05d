# Sourced by the bench scripts. release_build BUILD LOG: configures the release build in BUILD
# when it has none yet, then runs make there unless BENCH_BUILD=0 (benchmark what is built, e.g.
# a tree mid-edit); make's output goes to LOG, and its tail to stderr when it fails. Needs REPO,
# say and die from the calling script.
release_build() {
    local build=$1 log=$2
    mkdir -p "$build"
    if [[ ! -f $build/Makefile ]]; then
        say "configuring a release build in $build"
        (cd "$build" && "$REPO/configure" -q) || die "configure failed"
    fi
    if [[ ${BENCH_BUILD:-1} == 1 ]]; then
        say "building $build"
        make -C "$build" -s -j2 >"$log" 2>&1 || { tail -30 "$log" >&2; die "make failed"; }
    fi
}

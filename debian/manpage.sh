#!/bin/sh
# Writes callboard(1) to OUT from the command's own usage text (`callboard --help`, tools/callboard.c),
# so the manual page lists exactly the commands the installed binary has.
#   debian/manpage.sh BINARY VERSION OUT
set -eu
bin=$1 version=$2 out=$3
# The build's date, not today's: the same source gives the same page (reproducible builds).
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%d)
# roff: a backslash is \e, a minus sign \-, and a line may not start with . or '
usage=$("$bin" --help 2>&1 | sed -e '1d' -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^[.']/\\\\\\&&/")
[ -n "$usage" ] || { echo "manpage.sh: $bin --help printed nothing" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cat >"$out" <<PAGE
.TH CALLBOARD 1 "$date" "callboard $version" "Callboard"
.SH NAME
callboard \- Callboard's administration command
.SH SYNOPSIS
.B callboard
[\fB\-\-config\fR \fIFILE\fR] \fIcommand\fR [\fIarguments\fR]
.SH DESCRIPTION
.B callboard
applies the schema migrations, creates users, loads demo data and runs the maintenance tasks
of a Callboard site. It reads the database account and the folders from the configuration
file; run it as the
.B callboard
user, e.g.
.B runuser \-u callboard \-\- callboard migrate
.SH COMMANDS
.nf
$usage
.fi
.SH FILES
.TP
.I /etc/callboard/callboard.conf
the configuration (default for \fB\-\-config\fR); a commented sample is
.I /etc/callboard/callboard.conf.sample
.TP
.I /usr/share/callboard/sql
the migrations applied by
.B migrate
.SH SEE ALSO
.I /usr/share/doc/callboard/install.md
("Install from the Debian package")
PAGE

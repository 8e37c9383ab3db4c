#!/bin/sh
# Usage: restore-datomic-answers.sh ORACLE_DIR
# oracle/run-all rewrites every NAME.expected.edn with DataScript's answer.
# For the cases listed in README.md ("Where the expected answer is Datomic's,
# not DataScript's") the expected file must hold Datomic's answer instead:
# this rewrites each of them from the case's own :expect, canonicalised by
# ORACLE_DIR/canon. Run it after every run-all.
set -e
[ $# -eq 1 ] || { echo "usage: $0 ORACLE_DIR" >&2; exit 2; }
oracle=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -n '/^## Where the expected answer is Datomic/,/^## /p' "$here/README.md" |
  grep '^\* `' | grep -o '`[qtpe]-[a-z0-9-]*`' | tr -d '`' |
  while read -r name; do
    case_file="$here/$name.edn"
    [ -f "$case_file" ] || { echo "missing case $name" >&2; exit 1; }
    # The hand-written answer: everything after the last ":expect" up to the
    # map's closing brace.
    awk '{ text = text $0 "\n" } END {
           i = 0; s = text
           while ((j = index(s, ":expect ")) > 0) { i += j; s = substr(s, j + 1) }
           body = substr(text, i + 8)
           sub(/\}[ \t\n]*$/, "", body)
           print body }' "$case_file" > "$tmp"
    "$oracle/canon" "$case_file" "$tmp" > "$here/$name.expected.edn"
    echo "$name => $(cat "$here/$name.expected.edn")"
  done

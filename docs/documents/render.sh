#!/usr/bin/env bash
# Renders the sample pages of docs/documents/ from a demo database (needs poppler-utils, sqlite3).
#   docs/documents/render.sh [path/to/daftar]     (default: target/release/daftar)
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-../../target/release/daftar}")
out=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/demo.sqlite"
"$bin" demo --db "$db" --applicants 300 >/dev/null
export DAFTAR_PASSWORD=chef-demo-2026
run() { "$bin" --db "$db" --user chef "$@" >/dev/null; }
number=$(sqlite3 "$db" "SELECT json_extract(data, '$.facts.dossier_number') FROM certificates LIMIT 1")
certificate=$(sqlite3 "$db" "SELECT number FROM certificates LIMIT 1")
run certificate reprint "$certificate" --out "$work/attestation.pdf"
run document recepisse --dossier "$number" --out "$work/recepisse.pdf"
run document fiche --dossier "$number" --out "$work/fiche.pdf"
run document notification --dossier "$number" --out "$work/notification.pdf"
run document commission --out "$work/commission.pdf"
run report bilan --year 2026 --out "$work/bilan.pdf"
for name in attestation recepisse fiche notification commission bilan; do
  pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$work/$name.pdf" "$out/$name"
  echo "$name.png"
done
# The same kinds filled with stress data — four co-funding sources with the longest labels and
# references, names over three lines in both scripts, long project names — as the layout test
# draws them (tests/layout.rs), PDF and PNG at 100 dpi, into docs/documents/contrainte/.
mkdir -p "$out/contrainte"
rm -f "$out"/contrainte/*
(cd "$out/../.." && DAFTAR_LAYOUT_OUT="$out/contrainte" cargo test -q --test main no_document_overprints >/dev/null)
for pdf in "$out"/contrainte/*.pdf; do
  pdftoppm -r 100 -png "$pdf" "${pdf%.pdf}"
  echo "contrainte/$(basename "$pdf")"
done

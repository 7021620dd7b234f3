#!/usr/bin/env bash
# Recovers the records of a real bundle with Debian's `age` and `zstd`, following
# docs/bundle-format.md and nothing else. Takes the path of a built `daftar` binary.
set -euo pipefail
daftar=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export DAFTAR_PASSWORD=admin-secret-1
"$daftar" --db dp.sqlite init --office DP-TIZNIT --name "Délégation de Tiznit" --level delegation-provinciale --province 581 --admin admin >/dev/null
"$daftar" --db bl.sqlite init --office BL-TIZNIT --name "Bureau local de Tiznit" --level bureau --province 581 --admin admin >/dev/null
fp_dp=$("$daftar" --db dp.sqlite --user admin identity export --out dp.id)
fp_bl=$("$daftar" --db bl.sqlite --user admin identity export --out bl.id)
"$daftar" --db dp.sqlite --user admin enroll bl.id --fingerprint "$fp_bl" >/dev/null
"$daftar" --db bl.sqlite --user admin enroll dp.id --fingerprint "$fp_dp" >/dev/null
"$daftar" --db bl.sqlite --user admin applicant add --cin JB123456 --last-name "El Alaoui" --first-name Youssef \
  --sex M --birth-date 12/04/1975 --relationship fils --card R-1 --card-holder "Ahmed Ouali" >/dev/null
mkdir cle
f=$("$daftar" --db bl.sqlite --user admin export --to cle --bordereau bordereau.pdf 2>/dev/null)
"$daftar" --db dp.sqlite --user admin identity export-secret --out secret.txt >/dev/null 2>&1

# The lines of docs/bundle-format.md.
H=$(od -An -tu1 -j10 -N4 "$f" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
C=$(od -An -tu1 -j$((14 + H)) -N8 "$f" | awk '{n=0; for (i=1; i<=NF; i++) n = n*256 + $i; print n}')
tail -c +$((23 + H)) "$f" | head -c "$C" | age -d -i secret.txt | zstd -d > contenu.ndjson

fail() { echo "check-bundle: $*" >&2; exit 1; }
head -c 8 "$f" | grep -q DAFTARSB || fail "magic"
[[ $(($(stat -c %s "$f"))) -eq $((22 + H + C + 64)) ]] || fail "length"
head -1 contenu.ndjson | grep -q '"manifest"' || fail "manifest"
grep -q '"cin":"JB123456"' contenu.ndjson || fail "the applicant's record"
tail -1 contenu.ndjson | grep -q '"end"' || fail "end line"
[[ $(ls cle) == "$(basename "$f")" ]] || fail "export puts nothing else on the stick"
hash=$(sha256sum "$f" | cut -d' ' -f1)
pdftotext bordereau.pdf - | tr -d '\n' | grep -qF "$hash" || fail "the bordereau names the bundle's SHA-256"
echo "bundle: records recovered with age and zstd ($(wc -l < contenu.ndjson) lines)"

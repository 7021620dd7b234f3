#!/usr/bin/env bash
# Side by side (issue: official documents, second pass): Daftar printing the beneficiary's
# certificate against LibreOffice converting the same certificate, written as a flat OpenDocument
# file (benches/libreoffice/attestation.fodt), to PDF — each a whole process, timed from its
# start to its PDF, with its peak memory. One certificate, then a batch of 1,000 in one PDF.
#
#   bash benches/libreoffice.sh target/release/daftar
#
# Needs LibreOffice Writer (Debian: libreoffice-writer-nogui), sqlite3 and GNU time.
set -euo pipefail
daftar=$(realpath "$1")
fodt=$(realpath "$(dirname "$0")/libreoffice/attestation.fodt")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
timed() { /usr/bin/time -f '%e s, peak %M KB' "$@" 2>&1 >/dev/null | tail -1; }
office=(soffice -env:UserInstallation="file://$work/profile" --headless --convert-to pdf)

export DAFTAR_PASSWORD=chef-demo-2026
"$daftar" --db d.sqlite demo --applicants 12000 >/dev/null
sqlite3 d.sqlite "SELECT number FROM dossiers WHERE status IN ('approuve', 'finance', 'cloture') AND deleted_at IS NULL
  AND id NOT IN (SELECT dossier_id FROM certificates WHERE dossier_id IS NOT NULL) ORDER BY number LIMIT 1001" >numbers
(($(wc -l <numbers) == 1001)) || { echo "the demo office has fewer than 1,001 dossiers to certify" >&2; exit 1; }
head -1 numbers >one
tail -n +2 numbers >batch

# The batch for LibreOffice: the certificate 1,000 times, each from a new page.
{
  sed -n '1,/<!-- CERTIFICATE -->/p' "$fodt"
  body=$(sed -n '/<!-- CERTIFICATE -->/,/<!-- \/CERTIFICATE -->/p' "$fodt" | sed '1d;$d')
  printf '%s\n' "$body"
  next=${body//table:style-name=\"Letterhead\"/table:style-name=\"LetterheadNext\"}
  for _ in $(seq 999); do printf '%s\n' "$next"; done
  sed -n '/<!-- \/CERTIFICATE -->/,$p' "$fodt"
} >lot.fodt
cp "$fodt" attestation.fodt

echo "One certificate, whole process:"
echo "  Daftar (log-in, checks, numbering, signature, register, PDF): $(timed "$daftar" --db d.sqlite --user chef certificate issue --from-file one --out daftar-1.pdf)"
echo "  LibreOffice, first start (its profile is created): $(timed "${office[@]}" attestation.fodt)"
echo "  LibreOffice, profile already there: $(timed "${office[@]}" attestation.fodt)"
echo "1,000 certificates in one PDF, whole process:"
echo "  Daftar: $(timed "$daftar" --db d.sqlite --user chef certificate issue --from-file batch --out daftar-1000.pdf)"
echo "  LibreOffice: $(timed "${office[@]}" lot.fodt)"
for pdf in daftar-1.pdf attestation.pdf daftar-1000.pdf lot.pdf; do
  printf '  %s: %s pages, %s KB\n' "$pdf" "$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')" "$(($(stat -c %s "$pdf") / 1024))"
done

#!/usr/bin/env bash
# Checks the PDFs with outside tools: qpdf finds no structural error, every font is embedded and
# subset, and pdftotext gives the Arabic and French words in logical order. Needs poppler-utils
# qpdf, ghostscript, sqlite3 and zbar-tools; takes the path of a built `daftar` binary.
set -euo pipefail
daftar=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export DAFTAR_PASSWORD=chef-demo-2026
"$daftar" --db d.sqlite demo --applicants 120 >/dev/null
number=$(sqlite3 d.sqlite "SELECT number FROM dossiers WHERE status = 'finance' AND deleted_at IS NULL LIMIT 1")
DAFTAR_PASSWORD=admin-demo-2026 "$daftar" --db d.sqlite --user admin settings cndp "D-GC-123/2024" >/dev/null
"$daftar" --db d.sqlite --user chef certificate issue --dossier "$number" --out attestation.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document recepisse --dossier "$number" --out recepisse.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document fiche --dossier "$number" --out fiche.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document notification --dossier "$number" --out notification.pdf >/dev/null
cin=$(sqlite3 d.sqlite "SELECT a.cin FROM dossiers d JOIN applicants a ON a.id = d.applicant_id WHERE d.number = '$number'")
"$daftar" --db d.sqlite --user chef document releve --cin "$cin" --out releve.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document commission --out commission.pdf >/dev/null
transmitted=$(sqlite3 d.sqlite "SELECT number FROM dossiers WHERE status = 'transmis' AND deleted_at IS NULL LIMIT 1")
# A session of the commission decides two transmitted dossiers from a file: its minutes and notifications.
"$daftar" --db d.sqlite --user chef session open --reference PV-CI-1 --date "$(date -u +%d/%m/%Y)" --place Tiznit \
  --member "Le chef du bureau, président" --member "ممثل المبادرة الوطنية للتنمية البشرية" >/dev/null
session_two=($(sqlite3 d.sqlite "SELECT number FROM dossiers WHERE status = 'transmis' AND deleted_at IS NULL ORDER BY number LIMIT 2"))
printf 'dossier;decision;source;montant;motif;precision\n%s;approuve;hcar;40000;;\n%s;rejete;;;viabilite;étude absente\n' \
  "${session_two[0]}" "${session_two[1]}" >decisions.csv
"$daftar" --db d.sqlite --user chef import-csv decisions decisions.csv --session PV-CI-1 --overrun "CI" >/dev/null
"$daftar" --db d.sqlite --user chef session pv --session PV-CI-1 --out pv.pdf >/dev/null
"$daftar" --db d.sqlite --user chef report annuel --year "$(date -u +%Y)" --out rapport-annuel.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document notification --session PV-CI-1 --out notifications-session.pdf >/dev/null
DAFTAR_PASSWORD=admin-demo-2026 "$daftar" --db d.sqlite --user admin settings retention 1 >/dev/null
DAFTAR_PASSWORD=admin-demo-2026 "$daftar" --db d.sqlite --user admin retention plan --pdf conservation.pdf >/dev/null
first_due=$(DAFTAR_PASSWORD=admin-demo-2026 "$daftar" --db d.sqlite --user admin retention plan | grep -o -m1 'CIN [A-Z0-9]*' | cut -c5-)
fail() { echo "check-documents: $*" >&2; exit 1; }
for pdf in *.pdf; do
  qpdf --check "$pdf" >/dev/null || fail "$pdf: qpdf --check"
  # pdffonts: columns emb, sub, uni must all say yes.
  pdffonts "$pdf" | tail -n +3 | awk '$(NF-4) != "yes" || $(NF-3) != "yes" || $(NF-2) != "yes" { bad = 1 } END { exit bad }' ||
    fail "$pdf: a font is not embedded, subset and mapped to Unicode"
done
text=$(pdftotext -layout attestation.pdf -)
for words in "المملكة المغربية" "ROYAUME DU MAROC" "شهادة الاستفادة" "Attestation de bénéficiaire" \
  "المندوبية السامية لقدماء المقاومين وأعضاء جيش التحرير" "Pour servir et valoir ce que de droit." "أي ما مجموعه" \
  "dirhams" "$number"; do
  grep -qF -- "$words" <<<"$text" || fail "attestation.pdf: « $words » missing from pdftotext's output"
done
# The certificate's QR code, printed and scanned (at 150 dpi), verifies as authentic.
pdftoppm -r 150 -png attestation.pdf scan
scanned=$(zbarimg --raw -q scan-*.png 2>/dev/null | head -1)
[[ $scanned == DAFTAR-ATT1\|* ]] || fail "attestation.pdf: no QR code read by zbarimg"
"$daftar" --db d.sqlite verify-certificate "$scanned" | grep -qF AUTHENTIQUE || fail "attestation.pdf: the scanned QR code does not verify"
pdftotext recepisse.pdf - | grep -qF "وصل الإيداع" || fail "recepisse.pdf: title"
pdftotext recepisse.pdf - | grep -qF "déclaration CNDP n° D-GC-123/2024" || fail "recepisse.pdf: CNDP declaration"
releve=$(pdftotext releve.pdf -)
for words in "Relevé des données personnelles" "كشف المعطيات الشخصية" "CIN $cin" "$number" "Historique des modifications"; do
  grep -qF -- "$words" <<<"$releve" || fail "releve.pdf: « $words » missing from pdftotext's output"
done
pdftotext fiche.pdf - | grep -qF "Historique" || fail "fiche.pdf: history"
pdftotext commission.pdf - | grep -qF "$transmitted" || fail "commission.pdf: transmitted dossier $transmitted"
pv=$(pdftotext pv.pdf -)
for words in "محضر اجتماع اللجنة" "Procès-verbal de la session de la commission" "PV-CI-1" "${session_two[0]}" \
  "${session_two[1]}" "الجدوى الاقتصادية" "مرفوض" "ممثل المبادرة الوطنية" "Totaux par source"; do
  grep -qF -- "$words" <<<"$pv" || fail "pv.pdf: « $words » missing from pdftotext's output"
done
annual=$(pdftotext rapport-annuel.pdf -)
for words in "التقرير السنوي" "Rapport annuel" "Projets créés et emplois" "المشاريع المحدثة" "par source" "Par bureau"; do
  grep -qF -- "$words" <<<"$annual" || fail "rapport-annuel.pdf: « $words » missing from pdftotext's output"
done
pdftotext notifications-session.pdf - | grep -qF "${session_two[1]}" || fail "notifications-session.pdf: ${session_two[1]}"
[[ -n $first_due ]] || fail "retention plan: the demo office has nobody closed for a year"
pdftotext conservation.pdf - | grep -qF "$first_due" || fail "conservation.pdf: $first_due, the first person due"
pdftotext conservation.pdf - | grep -qF "تقرير مدة الاحتفاظ" || fail "conservation.pdf: Arabic title"
# Two batch files merged by qpdf keep every glyph: Ghostscript draws each page of the merge pixel
# for pixel as it draws the page alone. (Each file's font subsets also carry tags of their own,
# drawn from their glyphs, for tools that merge fonts by name.)
two=$(sqlite3 d.sqlite "SELECT group_concat(number) FROM (SELECT number FROM dossiers WHERE status = 'finance' AND deleted_at IS NULL LIMIT 2)")
"$daftar" --db d.sqlite --user chef document recepisse --dossier "$two" --out recepisses.pdf >/dev/null
"$daftar" --db d.sqlite --user chef document notification --dossier "$two" --out notifications.pdf >/dev/null
qpdf --empty --pages recepisses.pdf notifications.pdf -- fusion.pdf
render() { gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pnggray -r40 -sOutputFile="$2-%d.png" "$1"; }
render fusion.pdf fusion && render recepisses.pdf seul-a && render notifications.pdf seul-b
pages_a=$(ls seul-a-*.png | wc -l)
for page in $(seq "$(ls fusion-*.png | wc -l)"); do
  if ((page <= pages_a)); then alone="seul-a-$page.png"; else alone="seul-b-$((page - pages_a)).png"; fi
  cmp -s "fusion-$page.png" "$alone" || fail "fusion.pdf: page $page is not drawn as $alone"
done
echo "documents: qpdf, fonts, text extraction and merged batches OK"

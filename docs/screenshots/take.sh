#!/usr/bin/env bash
# Takes the screenshots of docs/screenshots/ from the real program under Xvfb, on a demo database,
# with the window at WxH: 1366x768 (the default) into docs/screenshots/, any other size into
# docs/screenshots/WxH/ (1024x768 is the smallest screen the window must serve whole).
#   docs/screenshots/take.sh [path/to/daftar] [WxH]     (default: target/release/daftar 1366x768)
# Needs: xvfb xdotool imagemagick x11-utils and the GL/X11 runtime libraries
# (../shared/tools/install-test-tools.sh installs them).
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-../../target/release/daftar}")
size=${2:-1366x768}
out=$(pwd)
[[ $size == 1366x768 ]] || { out="$out/$size"; mkdir -p "$out"; }
work=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" demo --db "$work/demo.sqlite" --applicants 5000 >/dev/null

d=93; while [[ -e /tmp/.X11-unix/X$d ]]; do d=$((d + 1)); done
Xvfb ":$d" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xvfb=$!
export DISPLAY=":$d" XDG_RUNTIME_DIR="$work/xdg" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
for _ in $(seq 300); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done   # a loaded machine is slow to start Xvfb

start() { # start the app on database $1, wait for its window
  "$bin" --db "$1" >"$work/app.log" 2>&1 & app=$!
  win=''
  for _ in $(seq 300); do win=$(xdotool search --onlyvisible --pid "$app" 2>/dev/null | head -n 1 || true); [[ -n $win ]] && break; sleep 0.1; done
  [[ -n $win ]] || { cat "$work/app.log" >&2; echo "no window for $1" >&2; exit 1; }
  xdotool windowmove "$win" 0 0; xdotool windowsize "$win" "${size%x*}" "${size#*x}"
  xdotool windowfocus --sync "$win"; sleep 1.5
}
shot() { sleep "${2:-1}"; import -window root "$out/$1.png"; echo "$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; }

# First start on an empty database: the guided set-up.
start "$work/new.sqlite"; shot installation; kill $app; wait $app 2>/dev/null || true

DAFTAR_PASSWORD=chef-demo-2026 "$bin" --db "$work/demo.sqlite" --user chef session open --reference PV-2026-12 \
  --date "$(date -u +%d/%m/%Y)" --place Tiznit --member "Le chef du bureau, président" >/dev/null
start "$work/demo.sqlite"
shot connexion 0.2
xdotool type --delay 30 chef; xdotool key Tab; xdotool type --delay 30 chef-demo-2026; xdotool key Return
shot tableau-de-bord 2
click 60 81; xdotool type --delay 60 "ben"; sleep 3; click 300 124; shot beneficiaires 2
# The form: a CIN still short, the Arabic name typed (it reads right to left as it is typed), saved
# once to show every problem at once.
xdotool key ctrl+n; sleep 0.5; xdotool type --delay 20 "JB12"; xdotool key Tab Tab Tab
xdotool type --delay 60 "محمد بن 12 علي"; xdotool key Return; shot beneficiaire-formulaire 1
xdotool key Escape; sleep 0.3
# The projects a word finds (of the name, the commune or the promoter), the first one opened.
click 60 112; sleep 1; click 450 110; xdotool type --delay 60 "apicul"; sleep 1; click 300 185; shot projets 1.5
number=$(sqlite3 "$work/demo.sqlite" "SELECT number FROM dossiers WHERE status = 'finance' ORDER BY number LIMIT 1 OFFSET 40")
# The worklist (the cursor is in its search field): the number typed, Enter opens the dossier.
click 60 143; shot dossiers 1.5; xdotool type --delay 20 "$number"; sleep 1; xdotool key Return; shot dossier 1.5
# F1: the guide's part for the screen in use, beside it.
xdotool key F1; shot aide 1; xdotool key F1; sleep 0.3
click 60 174; shot programmes 1
click 60 205; shot attestations 0.5
# The commission (the demo office stands alone: it decides), a session opened with its agenda.
click 60 236; shot commission 2
click 60 298; sleep 2; click 530 189; sleep 0.5; click 530 260; sleep 1; click 556 417; shot rapports 2
click 60 329; shot parametres 1
kill $app; wait $app 2>/dev/null || true

# Synchronisation: the demo office pinned under a delegation, one bundle sent.
DAFTAR_PASSWORD=admin-secret-1 "$bin" --db "$work/dp.sqlite" init --office DP-TIZNIT --name "Délégation provinciale de Tiznit" \
  --level delegation-provinciale --province 581 --admin admin >/dev/null
fp=$(DAFTAR_PASSWORD=admin-secret-1 "$bin" --db "$work/dp.sqlite" --user admin identity export --out "$work/dp.id")
DAFTAR_PASSWORD=admin-demo-2026 "$bin" --db "$work/demo.sqlite" --user admin enroll "$work/dp.id" --fingerprint "$fp" >/dev/null
mkdir -p "$work/cle"
DAFTAR_PASSWORD=chef-demo-2026 "$bin" --db "$work/demo.sqlite" --user chef export --to "$work/cle" >/dev/null
start "$work/demo.sqlite"
xdotool type --delay 30 chef; xdotool key Tab; xdotool type --delay 30 chef-demo-2026; xdotool key Return
sleep 2; click 60 236; shot synchronisation 1
kill $app; wait $app 2>/dev/null || true

# The delegation reads the stick: the bar under the screen shows the import's stage and count.
ofp=$(DAFTAR_PASSWORD=admin-demo-2026 "$bin" --db "$work/demo.sqlite" --user admin identity export --out "$work/bl.id")
DAFTAR_PASSWORD=admin-secret-1 "$bin" --db "$work/dp.sqlite" --user admin enroll "$work/bl.id" --fingerprint "$ofp" >/dev/null
start "$work/dp.sqlite"
xdotool type --delay 30 admin; xdotool key Tab; xdotool type --delay 30 admin-secret-1; xdotool key Return
sleep 2; click 60 267; sleep 1
y=280; [[ ${size%x*} -le 1024 ]] && y=297   # the state's line wraps once more at 1024 px
click 530 $y; xdotool type --delay 20 "$work/cle"; click 192 $((y + 31)); shot import-en-cours 0.3
shot import-termine 6
kill $app; wait $app 2>/dev/null || true

# Today's work as each role sees it: the clerk and the administrator at the office (now under its
# delegation), the délégué at the delegation that has just read the office's stick.
login() { xdotool type --delay 30 "$1"; xdotool key Tab; xdotool type --delay 30 "$2"; xdotool key Return; }
start "$work/demo.sqlite"; login agent agent-demo-2026; shot tableau-de-bord-agent 3
kill $app; wait $app 2>/dev/null || true
start "$work/demo.sqlite"; login admin admin-demo-2026; shot tableau-de-bord-admin 3
kill $app; wait $app 2>/dev/null || true
DAFTAR_PASSWORD=admin-secret-1 DAFTAR_NEW_PASSWORD=delegue-secret-1 "$bin" --db "$work/dp.sqlite" --user admin \
  user add delegue --role delegue --name "Délégué provincial" >/dev/null
start "$work/dp.sqlite"; login delegue delegue-secret-1; shot tableau-de-bord-delegue 3

#!/usr/bin/env bash
# The clerk's five daily tasks (docs/clerk-tasks.md) done in the real window, at a clerk's pace,
# and timed from the first click to the task's result: the receipt or the certificate on the
# screen in the PDF viewer, the records in the database, the bundle on the stick.
#
#   bash benches/clerk-tasks/replay.sh BIN after|before [OUT]
#
# BIN is a release build of Daftar; `after` drives the window as it is now, `before` the window as
# it was before the clerk's-day issue (commit 6c93427: build it in a worktree, see the doc). The
# window is 1024×768 under Xvfb, on the demo office of 5,000 applicants.
#
# The pace is the keystroke-level model's (Card, Moran & Newell): 1.35 s to decide the next step,
# 1.1 s to point, 0.2 s to click, 0.28 s a key (an average typist), 0.4 s to move a hand between
# mouse and keyboard. The program's own answers are not modelled: after each step the replay
# waits until the window shows the answer (a part of the screen changes; the viewer's window
# opens; the row is in the database) before the clerk's next step, and that waiting is reported
# apart. Each task ends on a check of its result, so a replay that clicked into the void fails.
#
# Writes OUT/VERSION.tsv (task, seconds, of which waiting for the program, clicks, keys) and a
# screenshot of each task's end (OUT/VERSION-N.png). SHOTS=1 also keeps a screenshot per step.
# Needs: xvfb x11-utils xdotool imagemagick sqlite3 bc xdg-utils, a PDF viewer as the desktop's
# (mupdf) and, for the window before, the file manager pcmanfm.
set -euo pipefail
bin=$(realpath "$1")
version=$2
out=$(realpath -m "${3:-target/clerk-tasks}")
[[ $version == after || $version == before ]] || { echo "version: after or before" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)
app='' xvfb=''
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT

# --- The screen ---------------------------------------------------------------------------------
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" & xvfb=$!
for _ in $(seq 600); do [[ -s $work/display ]] && break; sleep 0.1; done
[[ -s $work/display ]] || { cat "$work/xvfb.log" >&2; echo "Xvfb did not start" >&2; exit 1; }
display=$(tr -dc 0-9 <"$work/display")
# A clerk's home, the register where the installed program keeps it (~/.local/share/daftar).
export HOME="$work/home" DISPLAY=":$display" XDG_RUNTIME_DIR="$work/xdg"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME/daftar" "$HOME/Documents" "$HOME/Bureau"; chmod 700 "$XDG_RUNTIME_DIR"
viewer=$(xdg-mime query default application/pdf || true)
[[ -n $viewer ]] || { echo "no PDF viewer is the desktop's (install mupdf)" >&2; exit 1; }

# --- The offices --------------------------------------------------------------------------------
# The demo office, linked with its delegation (the first time's link is not a daily task). The
# stick's folder has a path as long as a stick's (/media/CLE).
office="$XDG_DATA_HOME/daftar/daftar.sqlite" delegation="$work/delegation.sqlite"
documents="$XDG_DATA_HOME/daftar/documents"
stick=$(mktemp -d /tmp/cleXXXX)
# Xvfb waited for: a server still exiting removes its socket, which may be the next one's.
trap 'kill $app $xvfb 2>/dev/null || true; wait $xvfb 2>/dev/null; rm -rf "$work" "$stick"' EXIT
"$bin" demo --db "$office" --applicants 5000 >/dev/null
at_delegation() { DAFTAR_PASSWORD=admin-secret-1 "$bin" --db "$delegation" --user admin "$@"; }
at_office() { DAFTAR_PASSWORD=admin-demo-2026 "$bin" --db "$office" --user admin "$@"; }
DAFTAR_PASSWORD=admin-secret-1 "$bin" --db "$delegation" init --office DP-TIZNIT \
  --name "Délégation provinciale de Tiznit" --level delegation-provinciale --province 581 --admin admin >/dev/null
fingerprint=$(at_delegation identity export --out "$work/dp.id")
at_office enroll "$work/dp.id" --fingerprint "$fingerprint" >/dev/null
fingerprint=$(at_office identity export --out "$work/office.id")
at_delegation enroll "$work/office.id" --fingerprint "$fingerprint" >/dev/null
sql() { sqlite3 "$office" "$1"; }

# --- The clerk's pace (keystroke-level model) ---------------------------------------------------
M=1.35 P=1.1 B=0.2 K=0.28 H=0.4
hand=mouse clicks=0 keys=0 waited=0 step=0 task=0
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
to_mouse() { [[ $hand == mouse ]] || { sleep $H; hand=mouse; }; }
to_keys() { [[ $hand == keys ]] || { sleep $H; hand=keys; }; }
# A click that is a decision: think, point, click.
press() { to_mouse; sleep $M; point_click "$1" "$2"; }
# A click that follows the last without a new decision (the next item of a list).
next_click() { to_mouse; point_click "$1" "$2"; }
point_click() { sleep $P; xdotool mousemove "$1" "$2"; sleep $B; xdotool click 1; clicks=$((clicks + 1)); debug; }
# Typing: a key each 0.28 s.
typ() { to_keys; xdotool type --delay 280 "$1"; keys=$((keys + ${#1})); debug; }
key() { to_keys; sleep $K; xdotool key "$@"; keys=$((keys + $#)); debug; }
# A shortcut (ctrl+n): the modifier held first, as a hand does; xdotool's instant chord can reach
# the window before the modifier's state does, and the window then sees a bare key.
shortcut() {
  to_keys; sleep $M
  xdotool keydown "${1%%+*}"; sleep $K; xdotool key "${1#*+}"; xdotool keyup "${1%%+*}"
  keys=$((keys + 2)); debug
}
# The mouse wheel turned N notches over X Y (a notch a tenth of a second), then the eye finds.
wheel() { to_mouse; sleep $P; xdotool mousemove "$1" "$2"; for _ in $(seq "$4"); do xdotool click "$3"; sleep 0.1; done; sleep $M; debug; }
debug() { step=$((step + 1)); [[ -z ${SHOTS:-} ]] || import -window root "$out/debug-$version-$task-$(printf %02d $step).png"; }

# --- Waiting for the program --------------------------------------------------------------------
# A hash of a part of the screen.
region() { import -window root -crop "$3x$4+$1+$2" -depth 8 rgb:- 2>/dev/null | md5sum | cut -c1-32; }
# Runs a step, then waits until the region X Y W H shows something else.
answered() {
  local x=$1 y=$2 w=$3 h=$4; shift 4
  local before; before=$(region "$x" "$y" "$w" "$h")
  "$@"
  local t0; t0=$(now)
  until [[ $(region "$x" "$y" "$w" "$h") != "$before" ]]; do
    (($(echo "$(since "$t0") > 30" | bc))) && fail "no answer in the window after: $*"
  done
  waited=$(echo "$waited + $(since "$t0")" | bc)
}
# Waits, at most LIMIT seconds, until the command succeeds; the wait is the program's.
waits_until() {
  local limit=$1 what=$2; shift 2
  local t0; t0=$(now)
  until "$@"; do
    (($(echo "$(since "$t0") > $limit" | bc))) && fail "$what"
    sleep 0.05
  done
  waited=$(echo "$waited + $(since "$t0")" | bc)
}
# Until a window whose title matches NAME is shown (the viewer, a folder of the file manager).
viewer_shows() { waits_until 30 "the viewer did not show $1" window_named "$1"; }
window_named() { xdotool search --onlyvisible --name "$1" >/dev/null 2>&1; }
# Until the query answers EXPECTED.
database_has() { waits_until 30 "the database does not answer $2 to: $1" answers "$1" "$2"; }
answers() { [[ $(sql "$1") == "$2" ]]; }
# Until a bundle is on the stick, whole (no part still being written).
bundle_written() { waits_until 60 "no bundle on the stick" bundle_on_stick; }
bundle_on_stick() { compgen -G "$stick/*.daftar" >/dev/null && ! compgen -G "$stick/*.partial" >/dev/null; }
# Task 2's result in either window: the applicant's dossier with its six pieces and its amount.
dossier_registered() {
  database_has "SELECT count(*) FROM dossiers d JOIN applicants a ON a.id = json_extract(d.data, '$.applicant_id')
    WHERE json_extract(a.data, '$.cin') = 'JT345678' AND json_array_length(json_extract(d.data, '$.documents')) = 6
    AND json_extract(d.data, '$.requested') = 8000000" 1
}
# Task 3's result in either window: the 15,000 DH paid on BL-DEMO-2022-00024.
disbursement_recorded() {
  database_has "SELECT count(*) FROM disbursements s JOIN dossiers d ON d.id = json_extract(s.data, '$.dossier_id')
    WHERE json_extract(d.data, '$.number') = 'BL-DEMO-2022-00024' AND json_extract(s.data, '$.amount') = 1500000" 1
}
# Task 5 in either window (the Synchronisation screen is alike): the stick's folder typed and the
# bundle exported; the delegation reads it and writes its reply (not timed); a week later, the
# program started again, the reply imported. Y1 Y2: the export's field and button; Y3 Y4: the
# import's.
export_then_import() {
  press 60 236                                          # Synchronisation
  press 530 "$1"; typ "$stick"                          # the stick's folder
  press 225 "$2"                                        # Exporter le paquet
  bundle_written
  pause
  at_delegation import "$stick" >/dev/null; rm -f "$stick"/*
  at_delegation reply --office BL-DEMO --to "$stick" >/dev/null
  start chef chef-demo-2026
  resume
  press 60 236                                          # Synchronisation
  press 530 "$3"; typ "$stick"
  press 192 "$4"                                        # Importer
  database_has "SELECT count(*) FROM import_log WHERE sender = 'DP-TIZNIT'" 1
}
# The file manager from the desktop (a double click on the home folder), the hidden folders shown
# (Ctrl+H), then .local, share, daftar, documents and the document NAME…, each found among the
# icons of its folder and opened by a double click.
file_manager_opens() {
  to_mouse; sleep "$(echo "$M + $P + 2 * $B" | bc)"; clicks=$((clicks + 2))
  rm -rf "$XDG_CONFIG_HOME/pcmanfm" "$XDG_CONFIG_HOME/libfm"   # each task as its first time
  pcmanfm "$HOME" >/dev/null 2>&1 &
  viewer_shows '^home$'
  local win; win=$(xdotool search --onlyvisible --name '^home$' | head -n 1)
  xdotool windowmove "$win" 0 0; xdotool windowsize "$win" 1024 768; xdotool windowfocus --sync "$win"
  shortcut ctrl+h
  local folder=$HOME name
  for name in .local share daftar documents "$(cd "$documents" && ls -d "$1"* | head -n 1)"; do
    double_click_icon "$folder" "$name"
    folder="$folder/$name"
    if [[ -d $folder ]]; then viewer_shows "^${name//./\\.}\$"; else viewer_shows "^$name"; fi
  done
}
# The icon of NAME in FOLDER as the file manager lays them out: folders first, then files, each by
# name; one row of icons 95 pixels apart (the window at 1024 pixels holds eight).
double_click_icon() {
  local n; n=$({ find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -f
    find "$1" -mindepth 1 -maxdepth 1 ! -type d -printf '%f\n' | sort -f; } | grep -nxF "$2" | cut -d: -f1)
  [[ -n $n && $n -le 8 ]] || fail "$2 is not among the first eight icons of $1"
  to_mouse; sleep $M; sleep $P
  xdotool mousemove $((206 + 95 * (n - 1))) 100 click --repeat 2 --delay 100 1; clicks=$((clicks + 2)); debug
}
fail() { import -window root "$out/failed-$version-$task.png"; echo "task $task ($version): $1" >&2; exit 1; }

# --- The window ---------------------------------------------------------------------------------
start() { # a new day: the program started on the office's database, USER logged in
  stop
  xdpyinfo >/dev/null 2>&1 || fail "the X server on $DISPLAY no longer answers"
  "$bin" --db "$office" >"$work/app.log" 2>&1 & app=$!
  local win=''
  for _ in $(seq 200); do win=$(xdotool search --onlyvisible --pid "$app" 2>/dev/null | head -n 1 || true); [[ -n $win ]] && break; sleep 0.1; done
  [[ -n $win ]] || { cat "$work/app.log" "$work/xvfb.log" >&2; ps -o pid,args -p "$xvfb" >&2; fail "no window"; }
  xdotool windowmove "$win" 0 0; xdotool windowsize "$win" 1024 768; xdotool windowfocus --sync "$win"; sleep 1.5
  xdotool type --delay 30 "$1"; xdotool key Tab; xdotool type --delay 30 "$2"; xdotool key Return; sleep 2.5
}
stop() {
  [[ -z $app ]] || { kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; app=''; }
  pkill -f "$documents" 2>/dev/null || true   # the viewer of a document
  pkill -x pcmanfm 2>/dev/null || true
}
begin() { task=$1; hand=mouse clicks=0 keys=0 waited=0 step=0 spent=0; t_start=$(now); }
# The clock stopped while the task waits for someone else (the delegation's reply), then again.
pause() { spent=$(echo "$spent + $(since "$t_start")" | bc); }
resume() { hand=mouse; t_start=$(now); }
end() {
  local total; total=$(echo "$spent + $(since "$t_start")" | bc)
  import -window root "$out/$version-$task.png"
  printf '%s\t%.1f\t%.1f\t%d\t%d\n' "$task" "$total" "$waited" "$clicks" "$keys" | tee -a "$out/$version.tsv"
}
printf 'task\tseconds\twaiting\tclicks\tkeys\n' >"$out/$version.tsv"

# The tasks, as that window has them (task1 … task5); TASKS="1 3" replays some of them.
# shellcheck source=/dev/null
source "$(dirname "$0")/$version.sh"
for n in ${TASKS:-1 2 3 4 5}; do "task$n"; done
stop
echo "$out/$version.tsv"

#!/usr/bin/env bash
# Thumbnails in real terminal emulators (issue 22), under a virtual X display.
#
# For each emulator (xterm -ti vt340, kitty, mlterm) the browser runs on the
# built-in demo library twice: with auto-detection, and as a control with
# `--image-protocol none`. Each run waits (polling screenshots, with a
# deadline) until the window shows the library, then checks that
#   - the thumbnail column holds real image pixels: hundreds of distinct
#     colours, and far more than the control run's text;
#   - the emulator logged no graphics protocol error (kitty: no
#     `PARSE ERROR`, nothing about a malformed graphics command);
#   - a popup (`?`, the help) over a photograph in the inspector leaves
#     no image on top of it (kitty; sixel quantizes to a palette, so the
#     check needs a true-colour protocol), and closing it brings them back.
# Then `assetui doctor` runs in each and must name what it found there:
# the protocol, and for sixel the colour registers the terminal reported
# (xterm also with `numColorRegisters: 16`, as a user may set it).
# Screenshots go to $EMULATOR_OUT (default target/emulators); with
# --docs the small copies in docs/ are refreshed.
#
# Skips (exit 0, saying why) when Xvfb, an emulator or ImageMagick is
# missing. On Debian/Ubuntu: apt-get install xvfb xterm kitty mlterm
# imagemagick xdotool fonts-dejavu-core
#
# Usage: tests/emulators/run.sh [--docs]   (ASSETUI_BIN= a built binary)
set -euo pipefail
cd "$(dirname "$0")/../.."

docs=no
[[ ${1:-} == --docs ]] && docs=yes

missing=()
for tool in Xvfb xterm kitty import convert xdotool script; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "SKIP emulator tests: not installed: ${missing[*]}"
    echo "     (apt-get install xvfb xterm kitty mlterm imagemagick xdotool fonts-dejavu-core)"
    exit 0
fi

bin=${ASSETUI_BIN:-target/debug/assetui}
if [[ ! -x $bin ]]; then
    cargo build --bin assetui
    bin=target/debug/assetui
fi
bin=$(realpath "$bin")
out=$(realpath -m "${EMULATOR_OUT:-target/emulators}")
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# a home of its own: no credentials (so the demo library), no remembered
# terminal answers, no config
export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config
mkdir -p "$HOME"
unset TMUX TERM_PROGRAM KITTY_WINDOW_ID WEZTERM_EXECUTABLE KONSOLE_VERSION || true
export LIBGL_ALWAYS_SOFTWARE=1

display=$((90 + RANDOM % 400))
# -noreset: by default an X server resets when its last client leaves,
# and a client that connects meanwhile (the first emulator, just after
# the readiness check below disconnected) is refused: "Can't open display"
Xvfb ":$display" -screen 0 1100x800x24 -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=:$display
up=no
for _ in $(seq 100); do
    if xdotool getdisplaygeometry >/dev/null 2>&1; then up=yes; break; fi
    sleep 0.1
done
if [[ $up != yes ]]; then
    echo "FAIL Xvfb did not start"; cat "$work/xvfb.log"; exit 1
fi

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# colours in a part of a screenshot: X Y W H in per cent of its size
colours_in() {
    local shot=$1 w h
    read -r w h < <(identify -format '%w %h' "$shot")
    convert "$shot" -crop "$((w * $4 / 100))x$((h * $5 / 100))+$((w * $2 / 100))+$((h * $3 / 100))" \
        +repage -format '%k' info:
}

# colours in the thumbnail column of the list (only images are drawn there)
colours() { colours_in "$1" 2 8 4 80; }

# the X window of a process, once it is mapped
window_of() {
    local pid=$1
    # up to 60 s: CI runs `cargo test` beside, and an emulator's first
    # window took over 20 s to map on the loaded 2 cores
    for _ in $(seq 600); do
        local wid
        wid=$(xdotool search --onlyvisible --pid "$pid" 2>/dev/null | head -1 || true)
        if [[ -n $wid ]]; then echo "$wid"; return 0; fi
        sleep 0.1
    done
    return 1
}

# run NAME MODE EMULATOR-COMMAND...: starts the emulator on the browser,
# waits until the window is drawn (images: the thumbnail column has
# hundreds of colours; control: text drawn, two identical screenshots),
# leaves the screenshot in $out/NAME-MODE.png and its colour count in $count.
# The emulator stays up (its pid in $last_pid, its window in $last_wid).
run() {
    local name=$1 mode=$2; shift 2
    local log=$work/$name-$mode.log shot=$out/$name-$mode.png
    "$@" >"$log" 2>&1 &
    last_pid=$!
    pids+=("$last_pid")
    if ! last_wid=$(window_of "$last_pid"); then
        fail "$name ($mode): no window"; cat "$log"; return 1
    fi
    local n=0 previous="" deadline=$((SECONDS + 90))
    count=0
    while ((SECONDS < deadline)); do
        sleep 0.5
        import -window "$last_wid" "$shot" 2>/dev/null || continue
        n=$(colours "$shot")
        if [[ $mode == images ]]; then
            # the pass condition of `check`, so the wait does not stop
            # while thumbnails are still arriving
            ((n >= ${want:-600})) && break
        else
            local sum
            sum=$(md5sum <"$shot")
            # the library drawn (text all over the window) and settled
            (($(colours_in "$shot" 0 0 100 100) >= 50)) && [[ $sum == "$previous" ]] && break
            previous=$sum
        fi
    done
    count=$n
}

# a key typed into a window (focused first: synthetic events are ignored)
press() {
    xdotool windowfocus --sync "$1" 2>/dev/null || true
    xdotool key --clearmodifiers "$2" 2>/dev/null
}

stop() {
    kill "$last_pid" 2>/dev/null || true
    wait "$last_pid" 2>/dev/null || true
}

# check NAME EMULATOR-COMMAND... (the browser's command line last)
check() {
    local name=$1; shift
    local control images
    run "$name" control "$@" --image-protocol none || return 0
    control=$count
    stop
    want=$(((control * 5 + 1) / 2))
    ((want < 600)) && want=600
    run "$name" images "$@" || return 0
    images=$count
    local shot_images=$out/$name-images.png
    echo "$name: thumbnail column $images colours (control without images: $control)"
    if ((images < 600 || images * 2 < control * 5)); then
        fail "$name: no real images in the thumbnail column ($images colours, control $control)"
    fi
    # the help over the list and the inspector: no image stays on top of
    # it (its middle then holds text only), and closing it brings them
    # back. First a photograph in the inspector (the fourth asset), so an
    # image left over the help would show thousands of colours.
    local before=0 n=0 m=0 k
    for k in j j j; do press "$last_wid" "$k"; done
    local photo=$out/$name-photo.png
    # only a true-colour protocol can show it (a sixel palette holds 256
    # colours at most): kitty's, not waited for elsewhere. Known by name:
    # the thumbnail column's count cannot tell, its wait stops as soon as
    # it passes (`want`), at 931 colours in kitty once
    local tries=1
    [[ $name == kitty ]] && tries=120
    for _ in $(seq "$tries"); do
        sleep 0.25
        import -window "$last_wid" "$photo" 2>/dev/null || continue
        before=$(colours_in "$photo" 60 8 30 40)
        ((before >= 1500)) && break
    done
    shot_images=$photo
    press "$last_wid" question
    local help=$out/$name-help.png
    for _ in $(seq 60); do
        sleep 0.25
        import -window "$last_wid" "$help" 2>/dev/null || continue
        n=$(colours_in "$help" 60 8 15 40)
        [[ $(md5sum <"$help") != $(md5sum <"$shot_images") ]] && break
    done
    press "$last_wid" Escape
    local back=$out/$name-back.png
    for _ in $(seq 60); do
        sleep 0.25
        import -window "$last_wid" "$back" 2>/dev/null || continue
        m=$(colours "$back")
        ((m >= 600)) && [[ $(md5sum <"$back") != $(md5sum <"$help") ]] && break
    done
    echo "$name: the preview $before colours, with the help over it $n; thumbnails after it closed $m"
    stop
    if grep -Eai 'parse error|malformed graphics|invalid key|unknown graphics' "$work/$name-images.log"; then
        fail "$name logged a graphics protocol error"
    fi
    if ((before < 1500)) && ((tries > 1)); then
        fail "$name: the photograph never showed in the inspector ($before colours in 30 s)"
    elif ((before < 1500)); then
        # sixel: a palette of at most 256 colours, and text written over
        # sixel pixels replaces them anyway
        echo "note $name: the preview shows $before colours (a palette): the help check is not conclusive"
    elif ((n > 600)); then
        fail "$name: image pixels over the help ($n colours in its middle)"
    fi
    if ((m < 600)); then
        fail "$name: the images did not come back after the help closed ($m colours)"
    fi
    if [[ $docs == yes ]]; then
        mkdir -p docs
        convert "$out/$name-images.png" -resize '760x>' -strip PNG8:"docs/emulator-$name.png"
    fi
}

# doctor NAME PATTERN EMULATOR-COMMAND...: runs `assetui doctor` in the
# emulator (the command's last word, the browser, is replaced by
# script(1) running doctor, so that doctor still talks to the emulator
# and its output is kept); its image protocol line must match PATTERN
# (grep -E), and the emulator must log no error.
doctor() {
    local name=$1 pattern=$2; shift 2
    local out=$work/doctor-$name.txt log=$work/doctor-$name.log
    local cmd=("$@")
    unset 'cmd[${#cmd[@]}-1]'
    rm -f "$out"
    timeout 60 "${cmd[@]}" script -q -e -c "$bin doctor" "$out" >"$log" 2>&1 || true
    if [[ ! -s $out ]]; then
        fail "doctor in $name: no output"; cat "$log"; return 0
    fi
    local line
    line=$(grep -a 'image protocol' "$out" || true)
    echo "doctor in $name: ${line#*image protocol}" | tr -s ' '
    if ! grep -Eq "$pattern" <<<"$line"; then
        fail "doctor in $name: expected /$pattern/"; cat "$out"
    fi
    if grep -Eai 'parse error|malformed|invalid key' "$log"; then
        fail "doctor in $name: the emulator logged an error"
    fi
}

xterm_cmd=(xterm -ti vt340 -fa 'DejaVu Sans Mono' -fs 9 -geometry 120x40+0+0 -e "$bin")
kitty_cmd=(kitty --config NONE -o font_family='DejaVu Sans Mono' -o font_size=9
    -o initial_window_width=1000 -o initial_window_height=700 -o remember_window_size=no
    "$bin")
mlterm_cmd=(mlterm --geometry 120x40+0+0 -e "$bin")

check xterm "${xterm_cmd[@]}"
check kitty "${kitty_cmd[@]}"
if command -v mlterm >/dev/null; then
    check mlterm "${mlterm_cmd[@]}"
else
    echo "SKIP mlterm: not installed"
fi

doctor xterm 'XTerm [0-9]+: sixel .*sixel: [0-9]+ colour registers' "${xterm_cmd[@]}"
doctor xterm-16 'sixel \(font [^)]*16 colours\).*sixel: 16 colour registers, images use 16 colours \(xterm: raise' \
    xterm -xrm 'XTerm*numColorRegisters: 16' "${xterm_cmd[@]:1}"
doctor kitty 'kitty 0\.[0-9.]+: kitty ' "${kitty_cmd[@]}"
if command -v mlterm >/dev/null; then
    doctor mlterm ': sixel .*sixel: [0-9]+ colour registers' "${mlterm_cmd[@]}"
fi

if ((failures)); then
    echo "emulator tests: $failures failure(s); screenshots in $out"
    exit 1
fi
echo "emulator tests: ok; screenshots in $out"

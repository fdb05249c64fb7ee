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
#   - a popup (`?`, the help) over the images leaves none of them on top
#     of it, and closing it brings them back.
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
for tool in Xvfb xterm kitty import convert xdotool; do
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
Xvfb ":$display" -screen 0 1100x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    [[ -S /tmp/.X11-unix/X$display ]] && break
    sleep 0.1
done
if [[ ! -S /tmp/.X11-unix/X$display ]]; then
    echo "FAIL Xvfb did not start"; cat "$work/xvfb.log"; exit 1
fi
export DISPLAY=:$display

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# colours in the left 14% of a screenshot, below the top bar (the list's
# thumbnail column)
colours() {
    local shot=$1 w h
    read -r w h < <(identify -format '%w %h' "$shot")
    convert "$shot" -crop "$((w * 14 / 100))x$((h * 80 / 100))+0+$((h * 8 / 100))" +repage \
        -format '%k' info:
}

# the X window of a process, once it is mapped
window_of() {
    local pid=$1
    for _ in $(seq 200); do
        local wid
        wid=$(xdotool search --onlyvisible --pid "$pid" 2>/dev/null | head -1 || true)
        if [[ -n $wid ]]; then echo "$wid"; return 0; fi
        sleep 0.1
    done
    return 1
}

# run NAME MODE EMULATOR-COMMAND...: starts the emulator on the browser,
# waits until the window is drawn (images: the thumbnail column has
# hundreds of colours; control: two identical screenshots with text),
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
            ((n >= 300)) && break
        else
            local sum
            sum=$(md5sum <"$shot")
            ((n >= 8)) && [[ $sum == "$previous" ]] && break
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
    run "$name" images "$@" || return 0
    images=$count
    echo "$name: thumbnail column $images colours (control without images: $control)"
    if ((images < 300 || images < control * 3)); then
        fail "$name: no real images in the thumbnail column ($images colours, control $control)"
    fi
    # the help over the list: no image stays drawn on top of it
    press "$last_wid" question
    local help=$out/$name-help.png before=$images n
    for _ in $(seq 60); do
        sleep 0.25
        import -window "$last_wid" "$help" 2>/dev/null || continue
        n=$(colours "$help")
        ((n < before)) && break
    done
    press "$last_wid" Escape
    local back=$out/$name-back.png m=0
    for _ in $(seq 60); do
        sleep 0.25
        import -window "$last_wid" "$back" 2>/dev/null || continue
        m=$(colours "$back")
        ((m >= 300)) && break
    done
    echo "$name: with the help open $n colours, closed again $m"
    stop
    if grep -Eai 'parse error|malformed graphics|invalid key|unknown graphics' "$work/$name-images.log"; then
        fail "$name logged a graphics protocol error"
    fi
    if ((m < 300)); then
        fail "$name: the images did not come back after the help closed ($m colours)"
    fi
    if [[ $docs == yes ]]; then
        mkdir -p docs
        convert "$out/$name-images.png" -resize '760x>' -strip PNG8:"docs/emulator-$name.png"
    fi
}

check xterm xterm -ti vt340 -fa 'DejaVu Sans Mono' -fs 9 -geometry 120x40+0+0 -e "$bin"
check kitty kitty --config NONE -o font_family='DejaVu Sans Mono' -o font_size=9 \
    -o initial_window_width=1000 -o initial_window_height=700 -o remember_window_size=no \
    "$bin"
if command -v mlterm >/dev/null; then
    check mlterm mlterm --geometry 120x40+0+0 -e "$bin"
else
    echo "SKIP mlterm: not installed"
fi

if ((failures)); then
    echo "emulator tests: $failures failure(s); screenshots in $out"
    exit 1
fi
echo "emulator tests: ok; screenshots in $out"

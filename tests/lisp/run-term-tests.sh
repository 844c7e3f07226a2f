#!/bin/sh
# run-term-tests.sh BINARY [LABEL] -- the REPL as a person at a terminal
# uses it: Ctrl-C (SIGINT) during an evaluation returns to the prompt with
# the definitions kept, also past the program's own guard; Ctrl-C ends a
# script; line editing and the history file on a pseudo-terminal
# (term/pty-session.py, skipped without python3).  Prints a Criterion-style
# synthesis line, like run-lisp-tests.sh.
bin=$1
label=${2:-lisp}
here=$(cd "$(dirname "$0")" && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
summary() {
  printf '[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d \n' \
    "$1" "$2" "$3" "$4"
}
if [ ! -x "$bin" ]; then
  echo "$label: $bin not built; skipping the terminal tests"
  summary 0 0 0 0
  exit 77
fi
leaks=1
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks"
export ASAN_OPTIONS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lisp-term.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
# No test may write to $HOME: every run gets its own history file.
LISP_HISTORY_FILE=$tmp/history
export LISP_HISTORY_FILE
tested=0 passing=0 failing=0

result() { # NAME WHY (WHY empty: passed)
  tested=$((tested + 1))
  if [ -z "$2" ]; then
    passing=$((passing + 1))
  else
    failing=$((failing + 1))
    echo "FAIL: $label: term/$1: $2"
    for f in out err; do
      [ -s "$tmp/$f" ] && { echo "    $f:"; sed -n '1,12s/^/    | /p' "$tmp/$f"; }
    done
  fi
}

# wait_for TEXT FILE: up to 30 s for TEXT to appear in FILE
wait_for() {
  n=0
  while ! grep -qF "$1" "$2" 2>/dev/null; do
    n=$((n + 1))
    [ $n -gt 300 ] && return 1
    sleep 0.1
  done
}

# watchdog PID: kill PID if it still runs after 60 s.  Ends with PID, and
# holds none of our descriptors (the fifo's writer must close for EOF).
watchdog() {
  ( exec 3>&- >/dev/null 2>&1 </dev/null
    n=0
    while kill -0 "$1" 2>/dev/null; do
      n=$((n + 1))
      if [ $n -gt 600 ]; then kill -KILL "$1"; break; fi
      sleep 0.1
    done ) &
}

# A REPL fed through a fifo: define, start a loop, Ctrl-C, use the definition.
repl_sigint() {
  rm -f "$tmp/in" "$tmp/out" "$tmp/err"
  mkfifo "$tmp/in" || { result repl-sigint "cannot make a fifo"; return; }
  "$bin" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  exec 3>"$tmp/in"
  watchdog $pid
  why=
  echo '(define kept 42)' >&3
  echo '(define (spin n) (spin (+ n 1)))' >&3
  echo '(begin (display "spin-1") (newline) (flush-output-port) (spin 0))' >&3
  wait_for spin-1 "$tmp/out" || why="the loop did not start"
  kill -INT $pid
  echo '(display (* kept 2)) (newline)' >&3
  # a guard in the program does not swallow Ctrl-C
  echo '(guard (e (#t (display "swallowed"))) (display "spin-2") (newline) (flush-output-port) (spin 0))' >&3
  [ -z "$why" ] && { wait_for spin-2 "$tmp/out" || why="the second loop did not start"; }
  kill -INT $pid
  echo '(display (+ kept 1)) (newline)' >&3
  exec 3>&-
  wait $pid
  status=$?
  if [ -n "$why" ]; then :
  elif [ $status -ne 0 ]; then why="exit status $status, expected 0"
  elif ! grep -q '84$' "$tmp/out"; then why="no 84 after the first Ctrl-C: the definition was lost"
  elif ! grep -q '43$' "$tmp/out"; then why="no 43 after the second Ctrl-C"
  elif grep -q swallowed "$tmp/out"; then why="the program's guard caught the interrupt"
  elif [ "$(grep -c 'interrupted' "$tmp/err")" -ne 2 ]; then why="stderr does not say 'interrupted' twice"
  elif ! grep -q 'in spin (stdin:2:' "$tmp/err"; then why="the backtrace does not name spin"
  fi
  result repl-sigint "$why"
}

# Ctrl-C ends a script (the default action): status 130 in the shell.  A
# background job of a non-interactive shell starts with SIGINT ignored, so
# the default action is restored for it (env --default-signal, coreutils
# 8.31 and later; skipped without).
script_sigint() {
  if ! env --default-signal=INT true 2>/dev/null; then
    echo "$label: env has no --default-signal: term/script-sigint skipped"
    return
  fi
  rm -f "$tmp/out" "$tmp/err"
  printf '%s\n' '(define (spin n) (spin (+ n 1)))' \
    '(display "spin") (newline) (flush-output-port) (spin 0)' >"$tmp/loop.scm"
  env --default-signal=INT "$bin" "$tmp/loop.scm" </dev/null >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  watchdog $pid
  why=
  wait_for spin "$tmp/out" || why="the loop did not start"
  kill -INT $pid
  wait $pid
  status=$?
  [ -z "$why" ] && [ $status -ne 130 ] && why="exit status $status, expected 130 (killed by SIGINT)"
  result script-sigint "$why"
}

pty_session() {
  if ! command -v python3 >/dev/null 2>&1; then
    echo "$label: no python3: term/pty-session skipped"
    return
  fi
  rm -f "$tmp/out" "$tmp/err"
  python3 "$here/term/pty-session.py" "$bin" "$tmp/pty-history" >"$tmp/out" 2>"$tmp/err"
  status=$?
  case $status in
    0) result pty-session "" ;;
    77) echo "$label: no pseudo-terminal: term/pty-session skipped" ;;
    *) result pty-session "exit status $status" ;;
  esac
}

repl_sigint
script_sigint
pty_session
summary "$tested" "$passing" "$failing" 0
[ "$failing" -eq 0 ]

#!/usr/bin/env python3
"""pty-session.py BINARY HISTORY_FILE -- the REPL on a terminal (libedit).

Runs BINARY with no arguments on a pseudo-terminal, as a person at a
terminal would, and checks: Ctrl-C stops a running loop and returns to the
prompt with definitions kept; Ctrl-C in the middle of a multi-line form
drops it; (exit) leaves; lines go to the history file (LISP_HISTORY_FILE); a second
session reads them back (up arrow recalls the last line).  Exit status 0
when every check passes, 1 otherwise (with what was seen), 77 when no pty
can be made.
"""
import os
import pty
import select
import sys
import time

binary, hist = sys.argv[1], sys.argv[2]


class Session:
    def __init__(self):
        try:
            self.pid, self.fd = pty.fork()
        except OSError:
            sys.exit(77)
        if self.pid == 0:
            os.environ['LISP_HISTORY_FILE'] = hist
            os.environ['TERM'] = 'dumb'
            os.execv(binary, [binary])
        self.out = ''

    def expect(self, text, timeout=30.0):
        """Wait until text appears in the output after what was matched so far."""
        end = time.time() + timeout
        while text not in self.out:
            left = end - time.time()
            if left <= 0:
                fail('timed out waiting for %r' % text, self.out)
            r, _, _ = select.select([self.fd], [], [], min(left, 0.1))
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b''
                if not data:
                    fail('end of output while waiting for %r' % text, self.out)
                self.out += data.decode(errors='replace')
        self.out = self.out[self.out.index(text) + len(text):]

    def send(self, data):
        os.write(self.fd, data)

    def finish(self):
        # (exit) at a fresh prompt.  Typed-ahead input can be lost while
        # libedit sets up the terminal for a line (and a typed-ahead Ctrl-D
        # even confuses it), so wait for the prompt and repeat if needed.
        self.expect('> ')
        end = time.time() + 30
        next_send = 0
        while time.time() < end:
            if time.time() >= next_send:
                self.send(b'(exit)\r')
                next_send = time.time() + 3
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.out += os.read(self.fd, 4096).decode(errors='replace')
                except OSError:
                    pass
        os.kill(self.pid, 9)
        fail('the REPL did not exit after (exit)', self.out)


def fail(why, seen):
    print('pty-session: FAIL: %s\n  output since the last match: %r' % (why, seen[-400:]))
    sys.exit(1)


if os.path.exists(hist):
    os.unlink(hist)
s = Session()
s.expect('> ')
s.send(b'(define kept 21)\r')
s.expect('> ')
s.send(b'(begin (display "spin") (newline) (let loop () (loop)))\r')
s.expect('spin\r\n')
s.send(b'\x03')                       # Ctrl-C while the loop runs
s.expect('interrupted')
s.expect('> ')
s.send(b'(* kept 2)\r')               # the definition survived
s.expect('42')
s.expect('> ')
s.send(b'(+ 1\r')                     # a form left open ...
s.expect('  ')
s.send(b'\x03')                       # ... is dropped by Ctrl-C
s.expect('> ')
s.send(b'(* 6 7 10)\r')
s.expect('420')
status = s.finish()
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    fail('exit status %r after (exit)' % status, s.out)
text = open(hist, errors='replace').read() if os.path.exists(hist) else ''
if 'kept' not in text or '10)' not in text:
    fail('history file lacks the lines typed', text)

s = Session()                         # a new session reads the history back
s.expect('> ')
s.send(b'\x1b[A\x1b[A\r')           # up arrow twice (past (exit)), Enter: (* 6 7 10) again
s.expect('420')
s.finish()
print('pty-session: ok')

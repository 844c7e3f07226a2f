; Only comments: the REPL exits 0 at end of input.
;;! no-guile
;;! args:
;;! stdin: self

; Output without a final newline is flushed at normal exit.
;;! no-guile
(display "partial")

; In script mode, stdin is free for the program: read-char and read from it.
;;! no-guile
(define c (read-char))
(define d (read))
(write (list c d)) (newline)

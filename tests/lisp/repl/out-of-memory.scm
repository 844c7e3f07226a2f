; Running out of heap (--heap-max) in the REPL is an ordinary error: the
; message is printed, the prompt comes back, definitions made before it are
; kept, and the heap is usable again (the data of the failed form is garbage).
;;! no-guile
;;! args: --heap-max 8M
;;! stdin: self
;;! stderr: out of memory
;;! stdout-has: survived-1
;;! stdout-has: survived-2
;;! stdout-has: after-1000
;;! stdout-has: kept-7
(define kept 7)
(define (grow acc) (grow (cons (make-vector 100000 0) acc)))
(grow '())
(display "survived-1")
(newline)
(grow '())
(display "survived-2")
(newline)
(display (string-append "after-" (number->string (length (make-list 1000 1)))))
(newline)
(define big (make-vector 200000 1))
(display (string-append "kept-" (number->string kept)))
(newline)

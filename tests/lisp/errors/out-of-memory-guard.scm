; Out of memory is an error object like any other: guard catches it and the
; program goes on with a usable heap.
;;! no-guile
;;! args: --heap-max 8M %f
(define (grow acc) (grow (cons (make-vector 100000 0) acc)))
(define msg
  (guard (e ((error-object? e) (error-object-message e)))
    (grow '())))
(display msg)
(newline)
(display (length (make-list 10000 0)))
(newline)

; length of a circular list is an error, and reporting it must terminate
; (an irritant that is itself circular must not be printed forever).
;;! status: nonzero
;;! stderr: length
;;! timeout: 20
(define l (list 1 2 3))
(set-cdr! (cddr l) l)
(display "made a cycle") (newline)
(display (list? l)) (newline)
(display (length l)) (newline)

; Flonums print with the fewest digits that read back the same (R7RS
; number->string), so 0.1 prints as 0.1.
(display (list 0.1 0.2 3.14 0.001 123.456 -2.75 100.5)) (newline)
(write (number->string 0.1)) (newline)
(display (= 0.1 (string->number (number->string 0.1)))) (newline)
(display (* 1.1 1.1)) (newline)
(display (/ 1.0 3)) (newline)
(display (/ 2.0 3)) (newline)

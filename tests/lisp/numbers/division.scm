; Exact division gives an exact integer when it divides, a flonum otherwise
; (compared with = here, since a rational is also correct R7RS);
; quotient, remainder and modulo with all sign combinations.
(display (/ 6 3)) (newline)
(display (/ 100 10 5)) (newline)
(display (exact-integer? (/ 6 3))) (newline)
(display (= (/ 7 2) 3.5)) (newline)
(display (= (/ 1 4) 0.25)) (newline)
(display (/ 7.0 2)) (newline)
(display (/ 1.0 4)) (newline)
(display (list (quotient 17 5) (remainder 17 5) (modulo 17 5))) (newline)
(display (list (quotient -17 5) (remainder -17 5) (modulo -17 5))) (newline)
(display (list (quotient 17 -5) (remainder 17 -5) (modulo 17 -5))) (newline)
(display (list (quotient -17 -5) (remainder -17 -5) (modulo -17 -5))) (newline)
(display (list (modulo 10 5) (remainder 0 3) (quotient 0 3))) (newline)

; case over symbols, numbers and characters, with else.
(define (kind x)
  (case x
    ((a e i o u) 'vowel)
    ((w y) 'semivowel)
    ((1 2 3) 'small-number)
    ((#\a) 'char-a)
    (else 'other)))
(display (map kind (list 'a 'w 'z 2 7 #\a #\b))) (newline)
(display (case (* 2 3) ((2 3 5 7) 'prime) ((1 4 6 8 9) 'composite))) (newline)
(display (case 'x ((x) 1 2 3) (else 4))) (newline)
(display (case 10 ((1) 'one) (else 'many))) (newline)
(define (day n)
  (case n
    ((0 6) "weekend")
    ((1 2 3 4 5) "weekday")
    (else "invalid")))
(display (list (day 0) (day 3) (day 9))) (newline)

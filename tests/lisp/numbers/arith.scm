; Fixnum arithmetic: + - * with any number of arguments.
(display (list (+) (+ 1) (+ 1 2) (+ 1 2 3 4))) (newline)
(display (list (*) (* 5) (* 2 3) (* 1 2 3 4 5))) (newline)
(display (list (- 5) (- 10 3) (- 10 3 2 1))) (newline)
(display (list (- 0 7) (* -3 4) (+ -5 5))) (newline)
(display (+ 1000000000 1000000000)) (newline)
(display (* 123456789 1000)) (newline)
(display (list (abs -7) (abs 7) (abs 0))) (newline)
(display (list (max 1 5 3) (min 4 2 8) (max -1) (min 3 3))) (newline)

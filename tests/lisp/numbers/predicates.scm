; Number type predicates.
(display (list (number? 1) (number? 1.5) (number? 'a) (number? "1"))) (newline)
(display (list (integer? 1) (integer? 1.0) (integer? 1.5) (integer? 'a))) (newline)
(display (list (exact-integer? 1) (exact-integer? 1.0) (exact-integer? "x"))) (newline)

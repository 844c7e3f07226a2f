; Reader details: line comments, block comments, datum comments,
; whitespace and bracket-free nesting, negative numbers, case of symbols.
(display (+ 1 ; a comment inside a form
            2))
(newline)
#| a block comment
   (display "not shown")
   #| nested |# still comment |#
(display "after block") (newline)
(display (list 1 #;(hidden form) 2)) (newline)
#;(display "hidden")
(display '(-1 +5 -2.5 .5 -.5)) (newline)
(display (list 'abc 'ABC (eq? 'abc 'ABC))) (newline)
(display "multi
line") (newline)
(display (list #t #f #true #false)) (newline)

; apply with a list and with leading arguments.
(display (apply + '(1 2 3))) (newline)
(display (apply + 1 2 '(3 4))) (newline)
(display (apply list '())) (newline)
(display (apply max '(3 9 2))) (newline)
(display (apply (lambda args (length args)) 'a 'b '(c d e))) (newline)
(display (apply map list '((1 2 3) (4 5 6)))) (newline)
(display (apply apply (list + (list 1 2)))) (newline)

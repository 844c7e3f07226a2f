; Type predicates and not.
(define (types x)
  (list (boolean? x) (symbol? x) (string? x) (char? x) (vector? x)
        (procedure? x) (pair? x) (null? x) (number? x)))
(for-each (lambda (x) (display (types x)) (newline))
          (list #t 'sym "str" #\c #(1) car (lambda () 1) '(1) '() 42))
(display (list (not #f) (not #t) (not '()) (not 0) (not 'a))) (newline)
(display (list (boolean? #f) (boolean? '()) (boolean? 0))) (newline)
(display (list (procedure? 'car) (procedure? apply) (procedure? call/cc))) (newline)

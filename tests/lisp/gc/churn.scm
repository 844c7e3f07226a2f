; Allocation churn: many short-lived lists, vectors, strings and closures with
; a medium live set.  Exercises the collector.
(define live (make-vector 1000 '()))
(define (step i)
  (let* ((l (list i (* i 2) (* i 3)))
         (s (make-string 20 #\x))
         (f (lambda () (+ (car l) (string-length s)))))
    (vector-set! live (modulo i 1000) (cons (f) l))))
(do ((i 0 (+ i 1))) ((= i 30000)) (step i))
(display (vector-ref live 0)) (newline)
(display (vector-ref live 999)) (newline)
(define (sum-heads v) (let loop ((i 0) (s 0)) (if (= i (vector-length v)) s (loop (+ i 1) (+ s (car (vector-ref v i)))))))
(display (sum-heads live)) (newline)

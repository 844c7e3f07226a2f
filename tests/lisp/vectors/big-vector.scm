; Larger vectors (20,000 elements): fill, sum, and a vector of vectors.
(define n 20000)
(define v (make-vector n 1))
(display (let loop ((i 0) (s 0)) (if (= i n) s (loop (+ i 1) (+ s (vector-ref v i)))))) (newline)
(define rows (make-vector 100))
(do ((i 0 (+ i 1))) ((= i 100)) (vector-set! rows i (make-vector 100 i)))
(display (vector-ref (vector-ref rows 42) 99)) (newline)
(define (vsum vec) (let loop ((i 0) (s 0)) (if (= i (vector-length vec)) s (loop (+ i 1) (+ s (vector-ref vec i))))))
(display (vsum (vector-map vsum rows))) (newline)

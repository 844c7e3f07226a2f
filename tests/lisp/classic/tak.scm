;;; TAK -- the Takeuchi function, a classic test of procedure calls and
;;; fixnum arithmetic (Gabriel benchmarks style).

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

(define (run-benchmark name thunk)
  (display name)
  (display ": ")
  (display (thunk))
  (newline))

(run-benchmark "tak 18 12 6" (lambda () (tak 18 12 6)))
(run-benchmark "tak 12 8 4" (lambda () (tak 12 8 4)))

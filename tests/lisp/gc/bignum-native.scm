; gull-lisp reports each bignum's limbs to gull as native memory: the
; count grows with live bignums and drops once a collection frees them,
; and churning through large bignums triggers collections by itself
; (the headers alone are 32 bytes each).
;;! no-guile
;;! skip-on: boehm
(define (native) (cdr (assq 'native-bytes (gc-stats))))
(define (collections) (cdr (assq 'collections (gc-stats))))
(gc)
(define base (native))
(define keep (map (lambda (i) (+ i (expt 7 30000))) (iota 20))) ; ~10.5 KB of limbs each
(display (>= (- (native) base) (* 20 10000))) (newline)
(set! keep #f)
(gc)
(display (< (- (native) base) 10000)) (newline)
; 4000 x 10.5 KB = 42 MB of limbs, in about 100 KB of headers
(define c0 (collections))
(do ((i 0 (+ i 1))) ((= i 4000)) (* i (expt 7 30000)))
(display (> (collections) c0)) (newline)
(display (< (native) (* 40 1000 1000))) (newline)

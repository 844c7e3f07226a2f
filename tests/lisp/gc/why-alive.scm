; "Why is this alive?" on gull: a program that leaks through a global
; cache.  The census diff names the leaking kind first, and (why-alive obj)
; names the global variable that holds it.  Census contents do not depend
; on when collections run, so the stress runs print the same.
;;! skip-on: boehm
;;! no-guile
(define cache '())
(define (remember! k v) (set! cache (cons (cons k v) cache)))
(define (work i)
  (remember! i (make-vector 10 i))
  (length (list i i i i)))            ; garbage alongside the leak
(define before (heap-census))
(do ((i 0 (+ i 1))) ((= i 2000)) (work i))
(define after (heap-census))
(define grown (heap-census-diff before after))
(display (car (car grown))) (newline)          ; the leaking kind: vector
(display (cadr (car grown))) (newline)         ; 2000 more of them
(display (caddr (car grown))) (newline)        ; 192000 bytes: 2000 x 96
(why-alive (cdr (car cache)))                  ; global variable cache -> ...
(why-alive (car cache))
(define (local-holder x) (why-alive x) #t)
(local-holder (make-vector 3 0))               ; held by a local: the frame
(why-alive (list 1 2))                         ; nothing else holds it
(display (guard (e (#t (error-object-message e))) (why-alive 5))) (newline)
(heap-snapshot "/dev/null")
(display (guard (e (#t (error-object-message e))) (heap-snapshot "/nonexistent-dir/x.heapsnapshot")))
(newline)
(display (heap-census-diff after after)) (newline)
(display (> (length after) 3)) (newline)
(display (length (car (heap-census #t)))) (newline)   ; a fifth column: retained bytes
(display (>= (list-ref (assoc "vector" (heap-census #t)) 4) 192000)) (newline)

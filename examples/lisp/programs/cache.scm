;;; cache.scm -- the "reachable orphan" leak: a memoizing cache that never
;;; evicts.  Every request looks its key up in a global hash table (a vector
;;; of bucket lists, doubled and rehashed as it fills); a miss computes a
;;; small result (a record holding two vectors, a string and a list) and stores
;;; it forever.  Most keys are new, so the table and everything it holds
;;; stay reachable and keep growing: each collection must trace an ever
;;; larger old generation although almost nothing in it is used again.
;;; The program reports the size of the cache as it grows.

(import (scheme base) (scheme write))

(define requests 120000)
(define report-every 20000)

(define-record-type entry
  (make-entry key value next)
  entry?
  (key entry-key)
  (value entry-value)
  (next entry-next set-entry-next!))

(define-record-type result
  (make-result digits squares label payload)
  result?
  (digits result-digits)
  (squares result-squares)
  (label result-label)
  (payload result-payload))

;; The table: a vector of buckets (chains of entries) and a count.
(define buckets (make-vector 1024 '()))
(define count 0)

(define (bucket-of key n) (modulo key n))

(define (grow!)
  (let* ((old buckets)
         (n (* 2 (vector-length old)))
         (new (make-vector n '())))
    (do ((i 0 (+ i 1))) ((= i (vector-length old)))
      (let walk ((e (vector-ref old i)))
        (unless (null? e)
          (let ((next (entry-next e))
                (b (bucket-of (entry-key e) n)))
            (set-entry-next! e (vector-ref new b))
            (vector-set! new b e)
            (walk next)))))
    (set! buckets new)))

(define (lookup key)
  (let walk ((e (vector-ref buckets (bucket-of key (vector-length buckets)))))
    (cond ((null? e) #f)
          ((= (entry-key e) key) (entry-value e))
          (else (walk (entry-next e))))))

(define (insert! key value)
  (when (> count (* 2 (vector-length buckets))) (grow!))
  (let ((b (bucket-of key (vector-length buckets))))
    (vector-set! buckets b (make-entry key value (vector-ref buckets b)))
    (set! count (+ count 1))))

;; The "expensive" computation whose result is cached.
(define (compute key)
  (let ((digits (let loop ((k key) (acc '()))
                  (if (< k 10) (cons k acc) (loop (quotient k 10) (cons (remainder k 10) acc))))))
    (make-result (list->vector digits)
                 (map (lambda (d) (* d d)) digits)
                 (string-append "item-" (number->string key))
                 (make-vector 16 key))))

(define seed 42)
(define (next-random!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

;; One request: a key, a lookup, and on a miss a computation and an insert.
;; One request in ten repeats the previous key; the rest are new keys.
(define (request! previous-key)
  (let* ((r (next-random!))
         (key (if (and previous-key (= 0 (modulo r 10))) previous-key (+ 1000000 r)))
         (cached (lookup key))
         (value (or cached (let ((v (compute key))) (insert! key v) v))))
    (values key (if cached 1 0) (apply + (result-squares value)))))

(define (main)
  (let loop ((i 1) (previous #f) (hits 0) (checksum 0))
    (if (<= i requests)
        (call-with-values (lambda () (request! previous))
          (lambda (key hit sum)
            (when (= 0 (modulo i report-every))
              (display "requests ") (display i)
              (display "  cache entries ") (display count)
              (display "  buckets ") (display (vector-length buckets))
              (newline))
            (loop (+ i 1) key (+ hits hit) (modulo (+ checksum sum) 1000000007))))
        (begin
          (display "hits ") (display hits) (newline)
          (display "checksum ") (display checksum) (newline))))
  (display "final cache size ") (display count) (display " entries") (newline)
  (display "first entry ") (display (result-label (lookup (+ 1000000 (* 42 16807)))))
  (newline))

(main)

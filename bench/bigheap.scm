; bigheap.scm — the large-heap program of `make compare FULL=1` (bench/).
;
; Builds a hash table of 600,000 entries that stays live to the end:
; 65,536 buckets, each a list of (key . payload) pairs, the payload a vector
; of 62 fixnums (512 bytes).  Live heap: about 600K x (2 pairs + 512 B) plus
; the bucket vector, ~340 MB in both heaps.  Then 1,000,000 churn steps:
; each makes a short-lived list of 8 pairs (young garbage), and every fourth
; step replaces the payload of a random entry (the old payload, by then an
; old object, dies: work for major collections with a big live heap).
; Prints checksums, so a lost object shows up as a wrong line.

(define n-entries 600000)
(define n-buckets 65536)
(define payload-len 62)
(define table (make-vector n-buckets '()))

(define seed 12345)
(define (rand n)
  (set! seed (modulo (+ (* seed 69069) 1) 4294967296))
  (modulo (quotient seed 256) n))

(define (insert! k)
  (let ((b (modulo k n-buckets)))
    (vector-set! table b (cons (cons k (make-vector payload-len k))
                               (vector-ref table b)))))

(do ((k 0 (+ k 1))) ((= k n-entries)) (insert! k))
(display "built") (newline)

(define (replace! k)
  (let loop ((l (vector-ref table (modulo k n-buckets))))
    (cond ((null? l) #f)
          ((= (car (car l)) k) (set-cdr! (car l) (make-vector payload-len k)) #t)
          (else (loop (cdr l))))))

(define (churn-step i)
  (let ((tmp (list i i i i i i i i)))
    (if (= 0 (modulo i 4)) (replace! (rand n-entries)))
    (length tmp)))

(do ((i 0 (+ i 1)) (s 0 (+ s (churn-step i))))
    ((= i 1000000) (display s) (newline)))

; Checksums: the sum of the keys, and of each payload's last slot.
(define (check)
  (let loop ((b 0) (keys 0) (slots 0))
    (if (= b n-buckets)
        (list keys slots)
        (let walk ((l (vector-ref table b)) (keys keys) (slots slots))
          (if (null? l)
              (loop (+ b 1) keys slots)
              (walk (cdr l) (+ keys (car (car l)))
                    (+ slots (vector-ref (cdr (car l)) (- payload-len 1)))))))))
(display (check)) (newline)

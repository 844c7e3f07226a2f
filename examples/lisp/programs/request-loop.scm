;;; request-loop.scm -- a server-shaped loop: many small units of work, each
;;; timed with current-jiffy.  A long-lived "session table" (a vector of
;;; small lists, over 100,000 objects) stays live throughout, and every
;;; request replaces one of its entries, so old objects keep pointing at new
;;; ones.  A request sorts a list of 40 numbers, builds a search tree from
;;; it, answers some lookups, and formats a response string.  The latency of
;;; a request includes any collection pause that lands in it, so p99 and max
;;; show the pauses that a user of an interactive program would feel.
;;;
;;; Output: the deterministic results first, then a marker line
;;; "--- timings ---" and three lines "latency p50|p99|max N us" that vary
;;; from run to run (the expected output stops at the marker).

(import (scheme base) (scheme write) (scheme time))

(define requests 10000)
(define session-count 20000)
(define request-size 40)

(define seed 12345)
(define (next-random!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

(define (random-list n limit)
  (let loop ((i 0) (acc '()))
    (if (= i n) acc (loop (+ i 1) (cons (modulo (next-random!) limit) acc)))))

;; Merge sort on lists.
(define (merge a b)
  (cond ((null? a) b)
        ((null? b) a)
        ((<= (car a) (car b)) (cons (car a) (merge (cdr a) b)))
        (else (cons (car b) (merge a (cdr b))))))

(define (split l)
  (if (or (null? l) (null? (cdr l)))
      (values l '())
      (call-with-values (lambda () (split (cddr l)))
        (lambda (a b) (values (cons (car l) a) (cons (cadr l) b))))))

(define (sort-list l)
  (if (or (null? l) (null? (cdr l)))
      l
      (call-with-values (lambda () (split l))
        (lambda (a b) (merge (sort-list a) (sort-list b))))))

;; A balanced search tree from a sorted vector: #(key left right) or '().
(define (build-tree v lo hi)
  (if (>= lo hi)
      '()
      (let ((mid (quotient (+ lo hi) 2)))
        (vector (vector-ref v mid) (build-tree v lo mid) (build-tree v (+ mid 1) hi)))))

(define (tree-member? t k)
  (cond ((null? t) #f)
        ((= k (vector-ref t 0)) #t)
        ((< k (vector-ref t 0)) (tree-member? (vector-ref t 1) k))
        (else (tree-member? (vector-ref t 2) k))))

(define sessions (make-vector session-count '()))
(do ((i 0 (+ i 1))) ((= i session-count))
  (vector-set! sessions i (list i (number->string i) (random-list 4 1000))))

;; One unit of work; returns a small number so the results can be checked.
(define (handle-request i)
  (let* ((data (random-list request-size 1000))
         (sorted (sort-list data))
         (tree (build-tree (list->vector sorted) 0 request-size))
         (found (let loop ((k 0) (n 0))
                  (if (= k 10) n (loop (+ k 1) (if (tree-member? tree (* k 97)) (+ n 1) n)))))
         (slot (modulo (* i 7919) session-count))
         (old (vector-ref sessions slot))
         (response (string-append "request " (number->string i)
                                  " found " (number->string found)
                                  " min " (number->string (car sorted))
                                  " session " (cadr old))))
    (vector-set! sessions slot (list slot (cadr old) (list found (string-length response))))
    (+ found (car sorted) (string-length response))))

(define latencies (make-vector requests 0))

(define (jiffies->us j) (quotient (* j 1000000) (jiffies-per-second)))

(define (main)
  (let loop ((i 0) (checksum 0))
    (if (< i requests)
        (let* ((start (current-jiffy))
               (r (handle-request i))
               (stop (current-jiffy)))
          (vector-set! latencies i (- stop start))
          (loop (+ i 1) (modulo (+ (* checksum 31) r) 1000000007)))
        (begin
          (display "requests ") (display requests) (newline)
          (display "checksum ") (display checksum) (newline))))
  (display "sessions ")
  (display (let loop ((i 0) (n 0))
             (if (= i session-count) n
                 (loop (+ i 1) (+ n (length (caddr (vector-ref sessions i))))))))
  (newline)
  (display "--- timings ---") (newline)
  (let* ((sorted (list->vector (sort-list (vector->list latencies))))
         (n (vector-length sorted)))
    (display "latency p50 ")
    (display (jiffies->us (vector-ref sorted (quotient (* 50 (- n 1)) 100))))
    (display " us") (newline)
    (display "latency p99 ")
    (display (jiffies->us (vector-ref sorted (quotient (* 99 (- n 1)) 100))))
    (display " us") (newline)
    (display "latency max ")
    (display (jiffies->us (vector-ref sorted (- n 1))))
    (display " us") (newline)))

(main)

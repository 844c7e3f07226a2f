; census-cost.scm — the cost of the heap diagnostics (issue 12) on the
; heap of bigheap.scm: the same 600,000-entry table of 512-byte vectors
; (~340 MB live), built the same way, then timed one after the other:
; a full collection (gull_collect MAJOR, for scale), (heap-census),
; (heap-census #t) (with retained sizes: the dominator tree), (why-alive)
; of one payload, and (heap-snapshot FILE).  gull-lisp only.
; Usage: gull-lisp census-cost.scm [FILE.heapsnapshot]  (default
; /tmp/bigheap.heapsnapshot).  bench/RESULTS.md has the figures.

(define n-entries 600000)
(define n-buckets 65536)
(define payload-len 62)
(define table (make-vector n-buckets '()))

(define (insert! k)
  (let ((b (modulo k n-buckets)))
    (vector-set! table b (cons (cons k (make-vector payload-len k))
                               (vector-ref table b)))))

(do ((k 0 (+ k 1))) ((= k n-entries)) (insert! k))

(define (time-it name thunk)
  (let* ((t0 (current-jiffy))
         (r (thunk))
         (ms (/ (- (current-jiffy) t0) (/ (jiffies-per-second) 1000.0))))
    (display name) (display " ") (display (round ms)) (display " ms") (newline)
    r))

(define file
  (let ((args (command-line)))
    (if (> (length args) 1) (cadr args) "/tmp/bigheap.heapsnapshot")))

(time-it "gc-major" (lambda () (gc)))
(define c (time-it "census" heap-census))
(define cr (time-it "census-retained" (lambda () (heap-census #t))))
(time-it "why-alive" (lambda () (why-alive (cdr (car (vector-ref table 12345))))))
(time-it "snapshot" (lambda () (heap-snapshot file)))
(display (car c)) (newline)
(display (car cr)) (newline)

;;; cycles.scm -- garbage cycles, built in a loop and dropped when old.
;;; Each round builds four cyclic structures: a ring of pairs closed with
;;; set-cdr!, a doubly linked list of records (every node points to its
;;; neighbours both ways), a closure that calls itself through its own
;;; environment (letrec), and a vector that holds itself.  A round's
;;; structures stay in a window of the last `window` rounds, so most of them
;;; outlive a few collections (a generational collector promotes them)
;;; before they die, still cyclic: reference counting alone never frees
;;; them, a cycle collector or a tracing collection must.  Every
;;; structure is checked when it leaves the window, and the window at the
;;; end, so a collector that freed a live one shows a wrong sum.

(import (scheme base) (scheme write))

(define rounds 20000)
(define window 1000)
(define ring-size 40)
(define dlist-size 16)

(define (make-ring n)
  (let ((first (list 0)))
    (let loop ((i 1) (last first))
      (if (= i n)
          (begin (set-cdr! last first) first)
          (let ((p (list i)))
            (set-cdr! last p)
            (loop (+ i 1) p))))))

(define (ring-sum r n)
  (let loop ((i 0) (p r) (s 0))
    (if (= i n)
        (if (eq? p r) s -1000000)          ; the ring must close
        (loop (+ i 1) (cdr p) (+ s (car p))))))

(define-record-type node
  (make-node value prev next)
  node?
  (value node-value)
  (prev node-prev set-node-prev!)
  (next node-next set-node-next!))

(define (make-dlist n)
  (let ((head (make-node 0 #f #f)))
    (let loop ((i 1) (last head))
      (if (= i n)
          (begin (set-node-next! last head) (set-node-prev! head last) head)
          (let ((x (make-node i last #f)))
            (set-node-next! last x)
            (loop (+ i 1) x))))))

(define (dlist-sum head n)
  ;; forwards, then backwards: both directions must be intact
  (let fwd ((i 0) (p head) (s 0))
    (if (< i n)
        (fwd (+ i 1) (node-next p) (+ s (node-value p)))
        (let back ((j 0) (q (node-prev head)) (t 0))
          (if (< j n)
              (back (+ j 1) (node-prev q) (+ t (node-value q)))
              (+ s t))))))

(define (make-counter start)
  (letrec ((self (lambda (k) (if (= k 0) start (+ 1 (self (- k 1)))))))
    self))

(define (self-vector n)
  (let ((v (make-vector n 1)))
    (vector-set! v 0 v)
    v))

(define (vector-check v)
  (if (eq? (vector-ref v 0) v) (- (vector-length v) 1) -1000000))

;; a round's structures and the sum they must give
(define (make-round i)
  (vector (make-ring ring-size) (make-dlist dlist-size) (make-counter i) (self-vector 8)))

(define (round-sum r)
  (+ (ring-sum (vector-ref r 0) ring-size)
     (dlist-sum (vector-ref r 1) dlist-size)
     ((vector-ref r 2) 3)
     (vector-check (vector-ref r 3))))

(define (expected i)
  (+ (quotient (* ring-size (- ring-size 1)) 2)
     (* 2 (quotient (* dlist-size (- dlist-size 1)) 2))
     (+ i 3)
     7))

(define slots (make-vector window #f))
(define bad 0)
(define total 0)

(define (retire! k)
  (let ((old (vector-ref slots k)))
    (if old
        (let ((s (round-sum (cdr old))))
          (if (not (= s (expected (car old)))) (set! bad (+ bad 1)))
          (set! total (+ total s))))))

(do ((i 0 (+ i 1))) ((= i rounds))
  (let ((k (modulo i window)))
    (retire! k)
    (vector-set! slots k (cons i (make-round i))))
  (if (= 0 (modulo (+ i 1) 5000))
      (begin (display "rounds ") (display (+ i 1)) (newline))))

(do ((k 0 (+ k 1))) ((= k window))
  (retire! k))

(display "checked ") (display rounds) (display " rounds, sum ") (display total)
(display ", bad ") (display bad) (newline)

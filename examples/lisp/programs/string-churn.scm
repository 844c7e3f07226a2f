;;; string-churn.scm -- big strings that die young.  Each round doubles a
;;; 4 KB string with string-append until it is 1 to 2 MB, adds a little at
;;; both ends with substring and string-append, reads a few characters and
;;; drops it; one round in 16 keeps its result in a ring of 8, so the live
;;; set stays under 20 MB while a few GB pass through.  The string bodies
;;; are native memory in most interpreters, so a collector that does not
;;; count them (or is not told about them) lets the process grow far beyond
;;; the live set.

(import (scheme base) (scheme write))

(define rounds 400)
(define ring-size 8)

(define (char-for i) (integer->char (+ 97 (modulo i 26))))

(define (round-string i)
  ;; Double a 4 KB string up to 1-2 MB (the halves die at once), then
  ;; append a little on both ends.
  (let* ((target (+ 1000000 (* 125000 (modulo i 8))))
         (a (let grow ((s (make-string 4096 (char-for i))))
              (if (>= (string-length s) target)
                  s
                  (grow (string-append s s)))))
         (b (string-append a "|" (number->string i) "|"))
         (c (string-append (substring b 0 4096) b (substring b 0 (modulo i 4096)))))
    c))

(define (main)
  (let ((ring (make-vector ring-size ""))
        (total-bytes 0)
        (checksum 0))
    (do ((i 0 (+ i 1))) ((= i rounds))
      (let ((s (round-string i)))
        (set! total-bytes (+ total-bytes (string-length s)))
        (set! checksum
              (modulo (+ checksum
                         (char->integer (string-ref s 0))
                         (char->integer (string-ref s (quotient (string-length s) 2)))
                         (char->integer (string-ref s (- (string-length s) 2))))
                      1000000007))
        (when (= 0 (modulo i 16))
          (vector-set! ring (modulo (quotient i 16) ring-size) s))))
    ;; A second phase: many medium strings built from small pieces.
    (let loop ((i 0) (keep '()) (n 0))
      (if (< i 20000)
          (let ((s (string-append (make-string 200 (char-for i))
                                  (number->string i)
                                  (make-string 200 #\-))))
            (loop (+ i 1)
                  (if (= 0 (modulo i 1000)) (cons s keep) keep)
                  (+ n (string-length s))))
          (begin
            (display "medium strings: ") (display n) (display " bytes, kept ")
            (display (length keep)) (newline))))
    (display "rounds: ") (display rounds) (newline)
    (display "bytes allocated in big strings: ") (display total-bytes) (newline)
    (display "checksum: ") (display checksum) (newline)
    (display "live ring: ")
    (display (let sum ((k 0) (acc 0))
               (if (= k ring-size) acc
                   (sum (+ k 1) (+ acc (string-length (vector-ref ring k)))))))
    (display " bytes") (newline)
    (display "ring heads: ")
    (display (list->string (map (lambda (k) (string-ref (vector-ref ring k) 0))
                                '(0 1 2 3 4 5 6 7))))
    (newline)))

(main)

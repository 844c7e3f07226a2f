; Tail calls from every tail position: if, cond (incl. =>), case, and, or,
; when, unless, let, let*, letrec, begin, lambda bodies, do results; each
; loops a million times, so only constant-space tail calls pass.
;;! slow
(define n 1000000)
(define (via-if i) (if (= i 0) 'if (via-if (- i 1))))
(define (via-cond i) (cond ((= i 0) 'cond) (else (via-cond (- i 1)))))
(define (via-arrow i) (cond ((= i 0) 'arrow) ((- i 1) => via-arrow)))
(define (via-case i) (case (if (= i 0) 'z 'n) ((z) 'case) (else (via-case (- i 1)))))
(define (via-and i) (and #t (if (= i 0) 'and (via-and (- i 1)))))
(define (via-or i) (or #f (if (= i 0) 'or (via-or (- i 1)))))
(define (via-when i) (if (= i 0) 'when (when #t (via-when (- i 1)))))
(define (via-unless i) (if (= i 0) 'unless (unless #f (via-unless (- i 1)))))
(define (via-let i) (let ((j (- i 1))) (if (< j 0) 'let (via-let j))))
(define (via-let* i) (let* ((j (- i 1)) (k j)) (if (< k 0) 'let* (via-let* k))))
(define (via-letrec i) (letrec ((j (- i 1))) (if (< j 0) 'letrec (via-letrec j))))
(define (via-begin i) (begin 1 (if (= i 0) 'begin (via-begin (- i 1)))))
(define (via-body i) (define j (- i 1)) (if (< j 0) 'body (via-body j)))
(define (via-do i) (do ((k 0 (+ k 1))) ((= k 1) (if (= i 0) 'do (via-do (- i 1))))))
(for-each (lambda (p) (display (p n)) (newline))
          (list via-if via-cond via-arrow via-case via-and via-or via-when
                via-unless via-let via-let* via-letrec via-begin via-body via-do))

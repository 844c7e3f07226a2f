;;; REWRITE -- a small Boyer-style term rewriter: rules are stored on an
;;; association list by head symbol, terms are rewritten to normal form
;;; with one-way unification, and a simple tautology checker runs on the
;;; result (after the shape of the Boyer benchmark, much reduced).

(define rules '())

(define (add-rule! rule)
  ;; rule = (equal lhs rhs)
  (let* ((lhs (cadr rule))
         (head (car lhs))
         (entry (assq head rules)))
    (if entry
        (set-cdr! entry (append (cdr entry) (list rule)))
        (set! rules (cons (list head rule) rules)))))

(for-each add-rule!
  '((equal (and p q) (if p (if q (t) (f)) (f)))
    (equal (or p q) (if p (t) (if q (t) (f))))
    (equal (not p) (if p (f) (t)))
    (equal (implies p q) (if p (if q (t) (f)) (t)))
    (equal (iff p q) (and (implies p q) (implies q p)))
    (equal (xor p q) (not (iff p q)))
    (equal (zerop x) (equal x (zero)))
    (equal (plus (zero) y) y)
    (equal (plus (add1 x) y) (add1 (plus x y)))
    (equal (times (zero) y) (zero))
    (equal (times (add1 x) y) (plus y (times x y)))
    (equal (if (if a b c) d e) (if a (if b d e) (if c d e)))))

(define unify-subst '())

(define (one-way-unify term pattern)
  (set! unify-subst '())
  (unify1 term pattern))

(define (unify1 term pattern)
  (cond ((not (pair? pattern))
         (let ((binding (assq pattern unify-subst)))
           (cond (binding (equal? term (cdr binding)))
                 (else (set! unify-subst (cons (cons pattern term) unify-subst)) #t))))
        ((not (pair? term)) #f)
        ((eq? (car term) (car pattern)) (unify-list (cdr term) (cdr pattern)))
        (else #f)))

(define (unify-list terms patterns)
  (cond ((null? terms) (null? patterns))
        ((null? patterns) #f)
        ((unify1 (car terms) (car patterns)) (unify-list (cdr terms) (cdr patterns)))
        (else #f)))

(define (apply-subst alist term)
  (cond ((not (pair? term))
         (let ((b (assq term alist))) (if b (cdr b) term)))
        (else (cons (car term) (map (lambda (t) (apply-subst alist t)) (cdr term))))))

(define (rewrite term)
  (cond ((not (pair? term)) term)
        (else (rewrite-with-rules
               (cons (car term) (map rewrite (cdr term)))
               (let ((e (assq (car term) rules))) (if e (cdr e) '()))))))

(define (rewrite-with-rules term lemmas)
  (cond ((null? lemmas) term)
        ((one-way-unify term (cadr (car lemmas)))
         (rewrite (apply-subst unify-subst (caddr (car lemmas)))))
        (else (rewrite-with-rules term (cdr lemmas)))))

(define (truep x true-list) (or (equal? x '(t)) (member x true-list)))
(define (falsep x false-list) (or (equal? x '(f)) (member x false-list)))

(define (tautologyp x true-list false-list)
  (cond ((truep x true-list) #t)
        ((falsep x false-list) #f)
        ((not (pair? x)) #f)
        ((eq? (car x) 'if)
         (cond ((truep (cadr x) true-list)
                (tautologyp (caddr x) true-list false-list))
               ((falsep (cadr x) false-list)
                (tautologyp (cadddr x) true-list false-list))
               (else (and (tautologyp (caddr x) (cons (cadr x) true-list) false-list)
                          (tautologyp (cadddr x) true-list (cons (cadr x) false-list))))))
        (else #f)))

(define (tautology? term) (tautologyp (rewrite term) '() '()))

(define (num n) (if (= n 0) '(zero) (list 'add1 (num (- n 1)))))
(define (count-adds t) (if (equal? t '(zero)) 0 (+ 1 (count-adds (cadr t)))))

(write (rewrite '(plus (add1 (add1 (zero))) (add1 (zero)))))
(newline)
(display (count-adds (rewrite (list 'times (num 6) (num 7)))))
(newline)
(define theorems
  '((implies (and p q) p)
    (implies p (or p q))
    (iff (and p q) (and q p))
    (implies (and (implies a b) (implies b c)) (implies a c))
    (or p (not p))
    (and p (not p))
    (xor p p)
    (implies (or a b) a)))
(for-each (lambda (th) (write th) (display " => ") (display (tautology? th)) (newline))
          theorems)
(define (run n) (let loop ((i 0) (ok 0))
  (if (= i n) ok
      (loop (+ i 1) (if (tautology? '(implies (and (implies a b) (and (implies b c) (implies c d))) (implies a d))) (+ ok 1) ok)))))
(display (run 5))
(newline)

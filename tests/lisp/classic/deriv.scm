;;; DERIV -- symbolic differentiation of polynomials in quoted form,
;;; written with quasiquote and a dispatch on the operator (cond + case).

(define (deriv a)
  (cond ((not (pair? a))
         (if (eq? a 'x) 1 0))
        (else
         (case (car a)
           ((+) (cons '+ (map deriv (cdr a))))
           ((-) (cons '- (map deriv (cdr a))))
           ((*) `(* ,a (+ ,@(map (lambda (u) `(/ ,(deriv u) ,u)) (cdr a)))))
           ((/) `(- (/ ,(deriv (cadr a)) ,(caddr a))
                    (/ ,(cadr a) (* ,(caddr a) ,(caddr a) ,(deriv (caddr a))))))
           (else (error "deriv: unknown operator" (car a)))))))

(define (simplify e)
  (if (not (pair? e))
      e
      (let ((args (map simplify (cdr e))))
        (case (car e)
          ((+) (let ((nz (remove-zeros args)))
                 (cond ((null? nz) 0) ((null? (cdr nz)) (car nz)) (else (cons '+ nz)))))
          ((*) (if (memv 0 args) 0 (cons '* args)))
          (else (cons (car e) args))))))

(define (remove-zeros l)
  (cond ((null? l) '())
        ((eqv? (car l) 0) (remove-zeros (cdr l)))
        (else (cons (car l) (remove-zeros (cdr l))))))

(define expr '(+ (* 3 x x) (* a x x) (* b x) 5))
(define result (deriv expr))
(write result)
(newline)
(write (simplify result))
(newline)

(define (repeat n)
  (let loop ((i 0) (r #f))
    (if (= i n) r (loop (+ i 1) (deriv expr)))))
(display (equal? (repeat 2000) result))
(newline)

; define-record-type: constructor, predicate, accessors, modifiers.
(define-record-type point
  (make-point x y)
  point?
  (x point-x set-point-x!)
  (y point-y))
(define p (make-point 3 4))
(display (list (point-x p) (point-y p))) (newline)
(set-point-x! p 10)
(display (point-x p)) (newline)
(display (list (point? p) (point? 5) (point? '(3 4)) (point? (vector 3 4)))) (newline)
(define-record-type <node>
  (make-node value next)
  node?
  (value node-value)
  (next node-next set-node-next!))
(define (list->nodes l) (if (null? l) '() (make-node (car l) (list->nodes (cdr l)))))
(define (nodes->list n) (if (null? n) '() (cons (node-value n) (nodes->list (node-next n)))))
(display (nodes->list (list->nodes '(a b c)))) (newline)
(display (point? (make-node 1 '()))) (newline)
(display (node? (make-node 1 '()))) (newline)
(display (map point-x (list (make-point 1 2) (make-point 5 6)))) (newline)

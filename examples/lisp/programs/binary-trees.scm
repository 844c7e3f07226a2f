;;; binary-trees.scm -- the Computer Language Benchmarks Game "binary-trees"
;;; shape: allocate one stretch tree and drop it, keep one long-lived tree,
;;; then for depths 4, 6, ... max-depth build and walk many trees that die
;;; young (2^(max-depth - depth + min-depth) of each).  Trees are pairs:
;;; a node is (left . right) and a leaf is (() . ()).

(import (scheme base) (scheme write))

(define min-depth 4)
(define max-depth 16)

(define (make-tree depth)
  (if (= depth 0)
      (cons '() '())
      (cons (make-tree (- depth 1)) (make-tree (- depth 1)))))

(define (check tree)
  (if (null? (car tree))
      1
      (+ 1 (check (car tree)) (check (cdr tree)))))

(define (main)
  (let ((stretch-depth (+ max-depth 1)))
    (display "stretch tree of depth ") (display stretch-depth)
    (display "  check: ") (display (check (make-tree stretch-depth)))
    (newline))
  (let ((long-lived-tree (make-tree max-depth)))
    (do ((depth min-depth (+ depth 2))) ((> depth max-depth))
      (let ((iterations (expt 2 (+ (- max-depth depth) min-depth))))
        (let loop ((i 0) (sum 0))
          (if (< i iterations)
              (loop (+ i 1) (+ sum (check (make-tree depth))))
              (begin
                (display iterations) (display "  trees of depth ")
                (display depth) (display "  check: ") (display sum)
                (newline))))))
    (display "long lived tree of depth ") (display max-depth)
    (display "  check: ") (display (check long-lived-tree))
    (newline)))

(main)

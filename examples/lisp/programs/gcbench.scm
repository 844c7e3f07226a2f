;;; gcbench.scm -- a Scheme port of GCBench (Hans Boehm, after John Ellis
;;; and Pete Kovac).  It keeps a long-lived binary tree and a long-lived
;;; vector of flonums alive while it builds many short-lived trees of depth
;;; 4, 6, ... 16, first top down (allocate a node, then fill its children in
;;; place: old-to-young stores) and then bottom up (children first).  At the
;;; end it checks that the long-lived data survived intact.
;;; Timing is left to the harness; the output is deterministic.

(import (scheme base) (scheme write))

(define stretch-tree-depth 17)      ; about 16 MB in the C original
(define long-lived-tree-depth 16)   ; about 4 MB
(define array-size 250000)          ; long-lived vector of flonums
(define min-tree-depth 4)
(define max-tree-depth 16)

(define-record-type node
  (make-node left right)
  node?
  (left node-left set-node-left!)
  (right node-right set-node-right!)
  (i node-i set-node-i!)
  (j node-j set-node-j!))

(define (make-empty-node) (make-node '() '()))

;; Nodes in a complete binary tree of the given depth.
(define (tree-size depth) (- (expt 2 (+ depth 1)) 1))

;; The C original builds twice as many; halved to suit an interpreter.
(define (num-iters depth)
  (quotient (tree-size stretch-tree-depth) (tree-size depth)))

;; Build a tree top down: the parent exists before its children.
(define (populate! depth n)
  (when (> depth 0)
    (set-node-left! n (make-empty-node))
    (set-node-right! n (make-empty-node))
    (populate! (- depth 1) (node-left n))
    (populate! (- depth 1) (node-right n))))

;; Build a tree bottom up: the children exist before their parent.
(define (make-tree depth)
  (if (<= depth 0)
      (make-empty-node)
      (make-node (make-tree (- depth 1)) (make-tree (- depth 1)))))

(define (count-nodes n)
  (if (null? n)
      0
      (+ 1 (count-nodes (node-left n)) (count-nodes (node-right n)))))

(define (time-construction depth)
  (let ((iters (num-iters depth)))
    (display "Creating ") (display iters)
    (display " trees of depth ") (display depth) (newline)
    (let loop ((i 0) (checked 0))
      (if (< i iters)
          (let ((temp (make-empty-node)))
            (populate! depth temp)
            (loop (+ i 1) (if (= i 0) (count-nodes temp) checked)))
          (begin (display "  Top down construction: first tree has ")
                 (display checked) (display " nodes") (newline))))
    (let loop ((i 0) (checked 0))
      (if (< i iters)
          (let ((temp (make-tree depth)))
            (loop (+ i 1) (if (= i 0) (count-nodes temp) checked)))
          (begin (display "  Bottom up construction: first tree has ")
                 (display checked) (display " nodes") (newline))))))

(define (main)
  (display "Garbage Collector Test") (newline)
  (display " Stretching memory with a binary tree of depth ")
  (display stretch-tree-depth) (newline)
  (display " Stretch tree has ")
  (display (count-nodes (make-tree stretch-tree-depth)))
  (display " nodes") (newline)

  (display " Creating a long-lived binary tree of depth ")
  (display long-lived-tree-depth) (newline)
  (let ((long-lived-tree (make-empty-node)))
    (populate! long-lived-tree-depth long-lived-tree)

    (display " Creating a long-lived vector of ")
    (display array-size) (display " flonums") (newline)
    (let ((array (make-vector array-size 0.0)))
      (do ((i 1 (+ i 1))) ((= i (quotient array-size 2)))
        (vector-set! array i (/ 1.0 i)))

      (do ((d min-tree-depth (+ d 2))) ((> d max-tree-depth))
        (time-construction d))

      (display "Long-lived tree has ")
      (display (count-nodes long-lived-tree))
      (display " nodes") (newline)
      (if (and (= (vector-ref array 1000) (/ 1.0 1000))
               (= (vector-ref array (- (quotient array-size 2) 1))
                  (/ 1.0 (- (quotient array-size 2) 1)))
               (= (vector-ref array (- array-size 1)) 0.0))
          (display "Long-lived vector is intact")
          (display "FAILED: long-lived vector was corrupted"))
      (newline))))

(main)

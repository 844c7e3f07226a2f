; Building strings in a loop: repeated string-append and number->string.
(define (join strs sep)
  (if (null? strs) ""
      (let loop ((acc (car strs)) (rest (cdr strs)))
        (if (null? rest) acc (loop (string-append acc sep (car rest)) (cdr rest))))))
(display (join (map number->string '(1 2 3 4 5)) ", ")) (newline)
(define big (let loop ((i 0) (s "")) (if (= i 1000) s (loop (+ i 1) (string-append s "ab")))))
(display (string-length big)) (newline)
(display (string-ref big 1999)) (newline)
(define (count-char c s)
  (let loop ((i 0) (n 0))
    (if (= i (string-length s)) n
        (loop (+ i 1) (if (char=? c (string-ref s i)) (+ n 1) n)))))
(display (count-char #\a big)) (newline)
(display (string-length (make-string 100000 #\q))) (newline)

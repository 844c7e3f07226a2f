; A deep recursion shows the innermost few frames and how many more there are.
;;! no-guile
;;! status: 70
;;! stderr-re: ^Error: backtrace-deep\.scm:9:15: too deep 0$
;;! stderr-re: ^  in count-down \(backtrace-deep\.scm:9:15\)$
;;! stderr-re: ^  in count-down \(backtrace-deep\.scm:9:41\)$
;;! stderr-re: ^  \.\.\. 9[0-9] more$
(define (count-down n)
  (if (= n 0) (error "too deep" n) (+ 1 (count-down (- n 1)))))
(count-down 100)

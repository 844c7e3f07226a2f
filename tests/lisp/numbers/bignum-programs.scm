; Ordinary programs that need exact integers past 62 bits.
(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(display (fact 30)) (newline)
(display (fact 50)) (newline)
(display (quotient (fact 50) (fact 48))) (newline)

; Knuth's 64-bit MMIX LCG, reduced modulo 2^64; the high 32 bits are the output.
(define two64 (expt 2 64))
(define (lcg64 x) (modulo (+ (* 6364136223846793005 x) 1442695040888963407) two64))
(let loop ((i 0) (x 42))
  (when (< i 5)
    (display (quotient x 4294967296)) (display " ")
    (loop (+ i 1) (lcg64 x))))
(newline)

; A 32-bit LCG whose products overflow 62 bits with a 40-bit multiplier.
(define (lcg32 x) (modulo (+ (* 1099511627791 x) 12345) 4294967296))
(let loop ((i 0) (x 123456789) (sum 0))
  (if (< i 1000)
      (loop (+ i 1) (lcg32 x) (+ sum x))
      (begin (display x) (display " ") (display sum) (newline))))

; Fibonacci 200 and the sum of the digits of 2^1000.
(define (fib n) (let loop ((a 0) (b 1) (n n)) (if (= n 0) a (loop b (+ a b) (- n 1)))))
(display (fib 200)) (newline)
(define (digit-sum n) (if (= n 0) 0 (+ (remainder n 10) (digit-sum (quotient n 10)))))
(display (digit-sum (expt 2 1000))) (newline)

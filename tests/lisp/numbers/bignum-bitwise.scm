; Bitwise operations and shifts on exact integers of any size.
(define (show . xs) (for-each (lambda (x) (display x) (display " ")) xs) (newline))
(define m64 (- (expt 2 64) 1))
(show (logand (* 6364136223846793005 6364136223846793005) m64))
(show (logior (expt 2 70) 1) (logxor (expt 2 70) (expt 2 70)) (lognot (expt 2 70)))
(show (logand -1 (expt 2 80)) (logand (- (expt 2 80)) m64))
(show (ash 1 100) (ash (expt 2 100) -98) (ash (- (expt 2 100)) -99) (ash 3 61) (ash -1 62))
(show (ash (expt 2 100) -200) (ash (- (expt 2 100)) -200))
(show (logand (expt 2 65) (+ (expt 2 65) 1)) (ash 1 64))

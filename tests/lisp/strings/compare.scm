; string=? string<? and equal? on strings.
(display (list (string=? "abc" "abc") (string=? "abc" "abd") (string=? "" ""))) (newline)
(display (list (string<? "abc" "abd") (string<? "abd" "abc") (string<? "ab" "abc") (string<? "abc" "abc"))) (newline)
(display (list (string<? "B" "a") (string<? "" "a"))) (newline)
(display (list (equal? "x" "x") (equal? "x" "y"))) (newline)

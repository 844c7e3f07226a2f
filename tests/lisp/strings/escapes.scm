; String literal escapes.
(write "quote\" backslash\\ newline\n end") (newline)
(display "a\nb") (newline)
(display (string-length "a\nb\\c\"")) (newline)

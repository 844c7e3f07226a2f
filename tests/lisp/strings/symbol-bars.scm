; Symbols that need |bars| are written so that they read back as the same
; symbol: '|' and '\' inside are escaped, control characters as \xHH;.
(define (round-trip s)
  (let* ((port (open-output-string)))
    (write s port)
    (let ((text (get-output-string port)))
      (display text)
      (display " ")
      (display (eq? s (read (open-input-string text))))
      (newline))))

(round-trip (string->symbol "a|b"))
(round-trip (string->symbol "back\\slash and space"))
(round-trip (string->symbol (string #\x (integer->char 10) #\y)))
(round-trip (string->symbol ""))
(round-trip (string->symbol "12"))
(round-trip 'plain)
(display (eq? '|a\x7C;b| (string->symbol "a|b"))) (newline)
(display (symbol->string '|tab\there|)) (newline)

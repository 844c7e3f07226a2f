; call-with-current-continuation, the long name, used by classic programs.
(display (call-with-current-continuation (lambda (k) (k 'long-name)))) (newline)

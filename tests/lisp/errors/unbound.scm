; An unbound variable is an error that names the variable.
;;! status: nonzero
;;! stderr: no-such-variable-here
(display "ok") (newline)
(display no-such-variable-here)

; set! of an unbound variable is an error.
;;! status: nonzero
;;! stderr: never-defined-var
(set! never-defined-var 1)

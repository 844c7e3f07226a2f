; cdr of the empty list is an error.
;;! status: nonzero
;;! stderr: cdr
(cdr '())

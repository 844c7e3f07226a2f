; apply with a last argument that is not a list is an error.
;;! status: nonzero
;;! stderr-re: .
(apply + 1 2)

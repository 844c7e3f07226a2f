; A string irritant and a list irritant appear in the message.
;;! status: nonzero
;;! stderr: bad input
;;! stderr: oops-string
;;! stderr: (1 2 3)
(error "bad input" "oops-string" '(1 2 3))

; The REPL prints the value of each expression.
;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-has: 123454321
;;! stdout-has: echoed-symbol
(* 11111 11111)
'echoed-symbol

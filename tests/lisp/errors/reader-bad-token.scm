; A bad # syntax on line 7 is reported with the file and the line (and a
; column), as FILE:7:COL or "line 7".
;;! no-guile
;;! status: nonzero
;;! stderr: reader-bad-token.scm
;;! stderr-re: (:7:|line 7)
(display '(1 #q 2))

; A script that does not exist: non-zero exit and a message naming it.
;;! no-guile
;;! args: no-such-script.scm
;;! status: nonzero
;;! stderr: no-such-script.scm

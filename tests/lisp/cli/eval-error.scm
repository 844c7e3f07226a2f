; An error in -e exits non-zero with a message.
;;! no-guile
;;! args: -e '(car (quote ()))'
;;! status: nonzero
;;! stderr: car

; --max-depth needs a positive number (usage error, status 64).
;;! no-guile
;;! args: --max-depth zero %f
;;! status: 64
;;! stderr: --max-depth needs a positive number
(display "not run")

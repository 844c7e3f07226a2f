; --version prints something on stdout and exits 0.
;;! no-guile
;;! args: --version
;;! stdout-re: [0-9]

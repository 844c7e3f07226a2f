; --help prints usage on stdout and exits 0.
;;! no-guile
;;! args: --help
;;! stdout-has: usage

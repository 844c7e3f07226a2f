; Opening a missing file is an error naming the file.
;;! status: nonzero
;;! stderr: no-such-file.txt
(open-input-file "no-such-file.txt")

; (error ...) and (raise ...) raised inside procedures carry the position
; of the call that raised; an anonymous procedure is named as such.
;;! no-guile
;;! status: 70
;;! stderr-re: ^Error: location-raise\.scm:9:26: bad value 42$
;;! stderr-re: ^  in anonymous procedure \(location-raise\.scm:9:26\)$
;;! stderr-re: ^  in top level \(location-raise\.scm:8:1\)$
(for-each
 (lambda (x) (if (> x 1) (error "bad value" 42)))
 (list 1 2 3))

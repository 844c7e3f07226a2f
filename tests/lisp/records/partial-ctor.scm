; A constructor that sets only some fields; the others are set later.
(define-record-type account
  (make-account owner)
  account?
  (owner account-owner)
  (balance account-balance set-account-balance!))
(define a (make-account "ann"))
(set-account-balance! a 100)
(set-account-balance! a (+ (account-balance a) 50))
(display (list (account-owner a) (account-balance a))) (newline)

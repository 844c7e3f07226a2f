; A top-level import is accepted and ignored.
(import (scheme base) (scheme write))
(import (scheme char) (scheme process-context))
(display "after import") (newline)

/* prelude.c — library procedures written in Scheme, evaluated at start-up.
 *
 * R7RS-small programs do not need these, but programs tested against Guile
 * often use the SRFI-1 list procedures and `sort` that Guile provides
 * without an import.  A program that defines one of these names simply
 * replaces it.  Keep this short: it is compiled at every start.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

static const char prelude[] =
    "(define (iota n . opt)\n"
    "  (let ((start (if (pair? opt) (car opt) 0))\n"
    "        (step (if (and (pair? opt) (pair? (cdr opt))) (cadr opt) 1)))\n"
    "    (let loop ((i (- n 1)) (acc '()))\n"
    "      (if (< i 0) acc (loop (- i 1) (cons (+ start (* i step)) acc))))))\n"
    "(define (filter pred l)\n"
    "  (let loop ((l l) (acc '()))\n"
    "    (cond ((null? l) (reverse acc))\n"
    "          ((pred (car l)) (loop (cdr l) (cons (car l) acc)))\n"
    "          (else (loop (cdr l) acc)))))\n"
    "(define (remove pred l) (filter (lambda (x) (not (pred x))) l))\n"
    "(define (partition pred l)\n"
    "  (values (filter pred l) (remove pred l)))\n"
    "(define (delete x l . eq) \n"
    "  (let ((same? (if (pair? eq) (car eq) equal?)))\n"
    "    (filter (lambda (y) (not (same? x y))) l)))\n"
    "(define (delete-duplicates l . eq)\n"
    "  (let ((same? (if (pair? eq) (car eq) equal?)))\n"
    "    (let loop ((l l) (acc '()))\n"
    "      (cond ((null? l) (reverse acc))\n"
    "            ((let mem ((a acc)) (and (pair? a) (or (same? (car a) (car l)) (mem (cdr a)))))\n"
    "             (loop (cdr l) acc))\n"
    "            (else (loop (cdr l) (cons (car l) acc)))))))\n"
    "(define (fold kons knil l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l l) (acc knil)) (if (pair? l) (loop (cdr l) (kons (car l) acc)) acc))\n"
    "      (let loop ((ls (cons l ls)) (acc knil))\n"
    "        (if (memq #t (map null? ls)) acc\n"
    "            (loop (map cdr ls) (apply kons (append (map car ls) (list acc))))))))\n"
    "(define (fold-left f init l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l l) (acc init)) (if (pair? l) (loop (cdr l) (f acc (car l))) acc))\n"
    "      (let loop ((ls (cons l ls)) (acc init))\n"
    "        (if (memq #t (map null? ls)) acc\n"
    "            (loop (map cdr ls) (apply f acc (map car ls)))))))\n"
    "(define (fold-right f init l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l (reverse l)) (acc init)) (if (pair? l) (loop (cdr l) (f (car l) acc)) acc))\n"
    "      (let loop ((ls (map reverse (cons l ls))) (acc init))\n"
    "        (if (memq #t (map null? ls)) acc\n"
    "            (loop (map cdr ls) (apply f (append (map car ls) (list acc))))))))\n"
    "(define (reduce f ridentity l)\n"
    "  (if (null? l) ridentity (fold f (car l) (cdr l))))\n"
    "(define (reduce-right f ridentity l)\n"
    "  (if (null? l) ridentity\n"
    "      (let loop ((l (reverse l)))\n"
    "        (if (null? (cdr l)) (car l) (f (car l) (loop (cdr l)))))))\n"
    "(define (append-map f . ls) (apply append (apply map f ls)))\n"
    "(define (filter-map f . ls) (filter (lambda (x) x) (apply map f ls)))\n"
    "(define (find pred l) (let loop ((l l)) (cond ((null? l) #f) ((pred (car l)) (car l)) (else (loop (cdr l))))))\n"
    "(define (find-tail pred l) (let loop ((l l)) (cond ((null? l) #f) ((pred (car l)) l) (else (loop (cdr l))))))\n"
    "(define (any pred l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l l)) (and (pair? l) (or (pred (car l)) (loop (cdr l)))))\n"
    "      (let loop ((ls (cons l ls)))\n"
    "        (and (not (memq #t (map null? ls))) (or (apply pred (map car ls)) (loop (map cdr ls)))))))\n"
    "(define (every pred l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l l) (last #t)) (if (pair? l) (let ((r (pred (car l)))) (and r (loop (cdr l) r))) last))\n"
    "      (let loop ((ls (cons l ls)) (last #t))\n"
    "        (if (memq #t (map null? ls)) last\n"
    "            (let ((r (apply pred (map car ls)))) (and r (loop (map cdr ls) r)))))))\n"
    "(define (count pred l) (let loop ((l l) (n 0)) (if (pair? l) (loop (cdr l) (if (pred (car l)) (+ n 1) n)) n)))\n"
    "(define (list-index pred l) (let loop ((l l) (i 0)) (cond ((null? l) #f) ((pred (car l)) i) (else (loop (cdr l) (+ i 1))))))\n"
    "(define (last l) (car (last-pair l)))\n"
    "(define (first l) (car l))\n"
    "(define (list-head l k) (if (= k 0) '() (cons (car l) (list-head (cdr l) (- k 1)))))\n"
    "(define (take l k) (list-head l k))\n"
    "(define (drop l k) (list-tail l k))\n"
    "(define (merge-lists a b less?)\n"
    "  (cond ((null? a) b) ((null? b) a)\n"
    "        ((less? (car b) (car a)) (cons (car b) (merge-lists a (cdr b) less?)))\n"
    "        (else (cons (car a) (merge-lists (cdr a) b less?)))))\n"
    "(define (sort-list l less?)\n"
    "  (let ((n (length l)))\n"
    "    (if (< n 2) (list-copy l)\n"
    "        (let ((h (quotient n 2)))\n"
    "          (merge-lists (sort-list (list-head l h) less?) (sort-list (list-tail l h) less?) less?)))))\n"
    "(define (sort seq less?)\n"
    "  (if (vector? seq) (list->vector (sort-list (vector->list seq) less?)) (sort-list seq less?)))\n"
    "(define (sort! seq less?) (sort seq less?))\n"
    "(define (list-sort less? l) (sort-list l less?))\n"
    "(define (vector-sort . args) (if (procedure? (car args)) (sort (cadr args) (car args)) (sort (car args) (cadr args))))\n"
    "(define (command-line) %command-line)\n"
    /* (heap-census-diff before after): the kinds that grew, as
     * (kind +count +bytes +native), largest growth first (the leak finder;
     * gull's gull_census_diff does the same in C). */
    "(define (heap-census-diff before after)\n"
    "  (define (grow e)\n"
    "    (let ((b (assoc (car e) before)))\n"
    "      (list (car e) (- (cadr e) (if b (cadr b) 0)) (- (caddr e) (if b (caddr b) 0))\n"
    "            (- (list-ref e 3) (if b (list-ref b 3) 0)))))\n"
    "  (sort (filter (lambda (d) (or (> (cadr d) 0) (> (caddr d) 0) (> (list-ref d 3) 0)))\n"
    "                (map grow after))\n"
    "        (lambda (x y) (let ((gx (+ (caddr x) (list-ref x 3))) (gy (+ (caddr y) (list-ref y 3))))\n"
    "                        (or (> gx gy) (and (= gx gy) (> (cadr x) (cadr y))))))))\n"
    "(define (exact-nonnegative-integer? x) (and (exact-integer? x) (>= x 0)))\n"
    "(define (char-ascii? c) (< (char->integer c) 128))\n"
    "(define (string-join l . d)\n"
    "  (let ((delim (if (pair? d) (car d) \" \")))\n"
    "    (if (null? l) \"\"\n"
    "        (apply string-append (car l) (append-map (lambda (s) (list delim s)) (cdr l))))))\n";

void prelude_load(void)
{
    val p = mkport(NULL, PORT_IN | PORT_STRING, "prelude");
    port *pp = (port *)p;
    pp->buf = malloc(sizeof prelude);
    memcpy(pp->buf, prelude, sizeof prelude);
    pp->len = sizeof prelude - 1;
    PUSH(p);
    for (;;) {
        val form = lisp_read_source(rsp[-1]);
        if (form == EOFV) break;
        eval_toplevel(form);
    }
    (void)POP();
}

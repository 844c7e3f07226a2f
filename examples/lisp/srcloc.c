/* srcloc.c — where each form of the program came from.
 *
 * .table  While the top level reads a form (lisp_read_source), the reader
 *         notes the position of every list it builds: pair address ->
 *         (file, line, column).  The compiler looks each form up
 *         (srcloc_of) and stores the position in the nodes it makes
 *         (node.loc), which live as long as the code.  The table itself is
 *         emptied at the next top-level read: by then the form is compiled,
 *         and its pairs may since have been freed and their addresses
 *         reused.  Data read by the program's (read) is never noted.
 *
 * Positions are 1-based: the line, and the column of the opening
 * parenthesis.  Each struct srcloc and each file name lives in the code
 * arena (compile.c code_alloc) and is freed with the code at exit.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

bool srcloc_recording;

struct entry { val key; const struct srcloc *loc; };
static struct entry *table; /* open addressing, linear probing; key 0 = empty */
static size_t cap, count;   /* cap is 0 or a power of two; count <= cap / 2 */

static const char *last_name;      /* the port's name, as last seen */
static const char *last_name_copy; /* its copy in the code arena */

static size_t slot_of(val key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 20) & (cap - 1);
}

static void grow(void)
{
    size_t ncap = cap ? cap * 2 : 1024;
    struct entry *old = table;
    size_t ocap = cap;
    table = calloc(ncap, sizeof *table);
    if (!table) { /* positions are a convenience: drop them rather than fail */
        table = old;
        return;
    }
    cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        size_t j = slot_of(old[i].key);
        while (table[j].key) j = (j + 1) & (cap - 1);
        table[j] = old[i];
    }
    free(old);
}

void srcloc_note(val pair, const char *file, int line, int col)
{
    if (!srcloc_recording) return;
    if ((count + 1) * 2 > cap) grow();
    if ((count + 1) * 2 > cap) return;
    if (file != last_name || !last_name_copy || strcmp(file, last_name_copy) != 0) {
        size_t n = strlen(file) + 1;
        char *copy = code_alloc(n);
        memcpy(copy, file, n);
        last_name = file;
        last_name_copy = copy;
    }
    struct srcloc *loc = code_alloc(sizeof *loc);
    loc->file = last_name_copy;
    loc->line = line;
    loc->col = col;
    size_t j = slot_of(pair);
    while (table[j].key && table[j].key != pair) j = (j + 1) & (cap - 1);
    if (!table[j].key) count++;
    table[j] = (struct entry){pair, loc};
}

const struct srcloc *srcloc_of(val pair)
{
    if (!count || !IS_PAIR(pair)) return NULL;
    size_t j = slot_of(pair);
    while (table[j].key) {
        if (table[j].key == pair) return table[j].loc;
        j = (j + 1) & (cap - 1);
    }
    return NULL;
}

void srcloc_clear(void)
{
    if (count) memset(table, 0, cap * sizeof *table);
    count = 0;
}

void srcloc_free(void)
{
    free(table);
    table = NULL;
    cap = count = 0;
    last_name = last_name_copy = NULL;
}

/* A reader error leaves srcloc_recording set; eval_reset clears it. */
val lisp_read_source(val port)
{
    srcloc_clear();
    srcloc_recording = true;
    val r = lisp_read(port);
    srcloc_recording = false;
    return r;
}

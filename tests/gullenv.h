/* gullenv.h — for tests that set GULL_* variables themselves: start each
 * test from an environment without any (Criterion runs each test in its own
 * process, so unsetting here cannot leak into another test). */
#ifndef GULL_TESTS_GULLENV_H
#define GULL_TESTS_GULLENV_H

#include <stdlib.h>
#include <string.h>

extern char **environ;

static inline void clear_gull_env(void)
{
    char names[64][128];
    int n = 0;
    for (char **e = environ; *e && n < 64; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "GULL_", 5) == 0 && eq && (size_t)(eq - *e) < sizeof names[0]) {
            memcpy(names[n], *e, (size_t)(eq - *e));
            names[n][eq - *e] = '\0';
            n++;
        }
    }
    for (int i = 0; i < n; i++)
        unsetenv(names[i]);
}

#endif

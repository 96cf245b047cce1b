/*  A shared object a hostile master would like a worker to load: its
    constructor runs at dlopen() and leaves a mark (the file named by
    ZP_TEST_EVIL_MARK), before anything could check the program. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__ ((constructor)) static void s_mark (void)
{
    const char *path = getenv ("ZP_TEST_EVIL_MARK");
    int fd = path ? open (path, O_WRONLY | O_CREAT, 0600) : -1;
    if (fd >= 0)
        close (fd);
}

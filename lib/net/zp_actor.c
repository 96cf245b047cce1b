/*  zp_actor: see zp_actor.h. */
#include "zp_actor.h"

#include <signal.h>

void zp_actor_destroy (zactor_t **self_p)
{
    if (!*self_p)
        return;
    /* zactor_destroy's wait cannot be interrupted while this thread takes
       no SIGINT or SIGTERM: another thread of the process handles them
       meanwhile (zsys_interrupted is set all the same), and one that came
       for this thread is handled here after. */
    sigset_t block, was;
    sigemptyset (&block);
    sigaddset (&block, SIGINT);
    sigaddset (&block, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &block, &was);
    zactor_destroy (self_p);
    pthread_sigmask (SIG_SETMASK, &was, NULL);
}

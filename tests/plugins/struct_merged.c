/* tests/plugins/struct_messages.c, merged by combine_message. */
#define S_MERGED 1
#include "struct_messages.c"

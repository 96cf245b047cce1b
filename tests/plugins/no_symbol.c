/* A shared object that exports no zp_program: zpregel must say so. */
int zp_something_else = 1;

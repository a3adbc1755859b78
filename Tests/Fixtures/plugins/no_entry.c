/* A shared library that is not a blendsim plugin: it has no entry symbol. */
int blendsim_something_else(void) { return 42; }

/*
 * A library TA that the libtls main TA does not link against: it reaches the instance only
 * through dlopen() (PTA_SYSTEM_DLOPEN), like OP-TEE's os_test_lib_dl.
 */
const unsigned int libtls_dl_marker = 0xd1;

unsigned int libtls_dl_value(void)
{
	return libtls_dl_marker;
}

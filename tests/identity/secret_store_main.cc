// The secret_store test program: CredentialStore (passwords, sessions, login codes, machine keys,
// webhook secrets), LoginLimiter, LogFileSmsChannel, the common-password list and client addresses.
#define BOOST_TEST_MODULE secret_store
#include <boost/test/unit_test.hpp>

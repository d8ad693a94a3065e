// The secret_store test program: CredentialStore (passwords, sessions, login codes, machine keys,
// webhook secrets), LoginLimiter and LogFileSmsChannel.
#define BOOST_TEST_MODULE secret_store
#include <boost/test/unit_test.hpp>

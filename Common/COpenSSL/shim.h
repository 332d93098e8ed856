// OpenSSL's libcrypto, only the EVP digest API (SHA-256 of segment payloads).
#ifndef GF_COPENSSL_SHIM_H
#define GF_COPENSSL_SHIM_H
#include <openssl/evp.h>
#endif

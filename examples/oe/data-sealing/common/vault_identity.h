/* Each enclave folder says which enclave it is (its identity.c); the rest is common/vault.c. */
#ifndef VAULT_IDENTITY_H
#define VAULT_IDENTITY_H

extern const char vault_enclave_name[];

#endif

// The e2e run's fixed secrets, for tests only: the key that seals two-factor secrets, and the
// demo super-admin's TOTP secret (enrolled by e2e/serve.ts), from which the specs compute codes.
export const E2E_TOTP_ENCRYPTION_KEY = "e2e-only-totp-key-not-for-any-real-deployment";
export const E2E_SUPER_ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/**
 * The demo's CDN signing public key (docs/cdn.md, "Signing keys"). Its private key was discarded
 * when it was generated: the demo distribution deploys, but no one can sign URLs for it. Deploy
 * with your own key: `-c cdnSigningPublicKeyFile=<path to PEM>`; keep the private key in a secret
 * only the application (broker) role reads, and pass it to `TenantCdnSigner`.
 */
export const DEMO_CDN_SIGNING_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn4Ik8QY49tMcHUg/3xtl
dVbMZdXANpgcuCJWXFn/DdMrUsW0akysnG45SFYEjalrptzYSdfN/tSiAbH+dHsc
jGOunHbmcux3+VNvpPdDSGdsSjwzbpyNYCiBghmfBTTEjMHmLx18CwPWw03/LG8j
ZwdL2w374YeySh65xWlkAeKo/ByYYx0fKZkgL/Ihy2p56gfttlJb6zkJT4mNyMOm
T2OnBvaIergeCcLKWIdBj6a1N0ArYRJle0BHxoYgo6XRq9EXPqMtTNahdfkN1Zlk
CSBeLD6TrrCx1G0u+HkZDwFCdHLIdroJgXc9xIE6UqUziftIpXqrnDgkxYoHXG6q
gwIDAQAB
-----END PUBLIC KEY-----
`;

import type { BanksFileEntry } from '../../src/banks/banks-file.ts';

/**
 * A trust framework's `/participants` list in Raidiam's shape (as Al Tareq publishes it): a UAE
 * bank with a data server, a payments-only server and a withdrawn one; a UK bank whose friendly
 * name repeats the UAE one's and which lists two API versions.
 */
export const PARTICIPANTS = [
  {
    OrganisationId: '00000000-0000-0000-0000-000000000001',
    Status: 'Active',
    OrganisationName: 'Example Bank',
    RegisteredName: 'Example Bank PJSC',
    Country: 'AE',
    AuthorisationServers: [
      {
        Status: 'Active',
        AuthorisationServerId: 'as-1',
        CustomerFriendlyName: 'Example Bank – Personal',
        CustomerFriendlyLogoUri: 'https://directory.example/logos/example.png',
        Issuer: null,
        OpenIDDiscoveryDocument: 'https://auth.examplebank.ae/.well-known/openid-configuration',
        ApiResources: [
          {
            ApiFamilyType: 'account',
            ApiVersion: '2.1.0',
            ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://rs1.examplebank.ae/open-finance/account-information/v2.1/accounts' }],
          },
          { ApiFamilyType: 'payment', ApiVersion: '2.1.0', ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://rs1.examplebank.ae/open-finance/payment/v2.1/payments' }] },
        ],
      },
      {
        Status: 'Active',
        AuthorisationServerId: 'as-2',
        CustomerFriendlyName: 'Example Bank Payments',
        OpenIDDiscoveryDocument: 'https://pay.examplebank.ae/.well-known/openid-configuration',
        ApiResources: [{ ApiFamilyType: 'payment', ApiVersion: '2.1.0', ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://rs2.examplebank.ae/open-finance/payment/v2.1/payments' }] }],
      },
      {
        Status: 'Withdrawn',
        AuthorisationServerId: 'as-3',
        CustomerFriendlyName: 'Example Bank Legacy',
        OpenIDDiscoveryDocument: 'https://old.examplebank.ae/.well-known/openid-configuration',
        ApiResources: [{ ApiFamilyType: 'account', ApiVersion: '1.0', ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://old.examplebank.ae/accounts' }] }],
      },
    ],
  },
  {
    OrganisationId: '00000000-0000-0000-0000-000000000002',
    Status: 'Active',
    OrganisationName: 'Example Bank UK',
    Country: 'GB',
    AuthorisationServers: [
      {
        Status: 'Active',
        AuthorisationServerId: 'as-4',
        CustomerFriendlyName: 'Example Bank - Personal',
        CustomerFriendlyLogoUri: 'http://insecure.example/logo.png',
        Issuer: 'https://auth.examplebank.co.uk/as',
        OpenIDDiscoveryDocument: 'https://auth.examplebank.co.uk/as/.well-known/openid-configuration',
        ApiResources: [
          { ApiFamilyType: 'Accounts', ApiVersion: '3.1.2', ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://api.examplebank.co.uk/open-banking/v3.1.2/aisp/accounts' }] },
          { ApiFamilyType: 'Accounts', ApiVersion: '3.1.11', ApiDiscoveryEndpoints: [{ ApiEndpoint: 'https://api.examplebank.co.uk/open-banking/v3.1.11/aisp/account-access-consents' }] },
        ],
      },
    ],
  },
];

/** The entries `openlean banks import` makes of `PARTICIPANTS`. */
export const IMPORTED_ENTRIES: BanksFileEntry[] = [
  {
    identifier: 'EXAMPLE_BANK_PERSONAL',
    name: 'Example Bank – Personal',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    logo: 'https://directory.example/logos/example.png',
    standard: 'uae-2.1',
    issuer: 'https://auth.examplebank.ae',
    api_base_url: 'https://rs1.examplebank.ae/open-finance/account-information/v2.1',
    client_id: 'FILL_IN',
    client_auth: 'private_key_jwt',
    signing_key: 'FILL_IN',
    signing_kid: 'FILL_IN',
    signing_alg: 'PS256',
    transport_cert: 'FILL_IN',
    transport_key: 'FILL_IN',
    security_profile: 'fapi2',
  },
  {
    identifier: 'EXAMPLE_BANK_PERSONAL_2',
    name: 'Example Bank - Personal',
    country: 'GB',
    currency: 'GBP',
    time_zone: 'Europe/London',
    standard: 'obie-3.1',
    issuer: 'https://auth.examplebank.co.uk/as',
    api_base_url: 'https://api.examplebank.co.uk/open-banking/v3.1.11/aisp',
    client_id: 'FILL_IN',
    client_auth: 'private_key_jwt',
    signing_key: 'FILL_IN',
    signing_kid: 'FILL_IN',
    signing_alg: 'PS256',
    transport_cert: 'FILL_IN',
    transport_key: 'FILL_IN',
    security_profile: 'fapi1-advanced',
  },
];

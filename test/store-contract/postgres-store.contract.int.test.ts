import { describeLedgerStoreContract } from './ledger-store-contract.ts'
import { describeSigningContract } from './signing-contract.ts'
import { postgresHarness } from './postgres-harness.ts'

describeLedgerStoreContract(postgresHarness)
describeSigningContract(postgresHarness)
